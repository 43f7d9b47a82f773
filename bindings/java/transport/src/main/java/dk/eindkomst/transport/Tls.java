package dk.eindkomst.transport;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** TLS contexts for the adapters: the function certificate as key material, the peer's CA as trust. */
public final class Tls {
    private Tls() {}

    /**
     * A TLS context from PKCS#12 files.
     *
     * @param keystore           the function certificate with its private key (client authentication), or null for none
     * @param keystorePassword   its password
     * @param truststore         certificates to trust for the server, or null for the JDK's default trust
     * @param truststorePassword its password
     */
    public static SSLContext fromPkcs12(Path keystore, char[] keystorePassword, Path truststore, char[] truststorePassword)
            throws Exception {
        KeyManagerFactory kmf = null;
        if (keystore != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(keystore, keystorePassword), keystorePassword);
        }
        TrustManagerFactory tmf = null;
        if (truststore != null) {
            tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(load(truststore, truststorePassword));
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        return ctx;
    }

    private static KeyStore load(Path p, char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p)) {
            ks.load(in, password);
        }
        return ks;
    }
}
