package dk.eindkomst.transport.security;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Objects;

/**
 * The organisation's function certificate (OCES "funktionscertifikat") with its private key: it signs the
 * token request at the STS, is the holder-of-key of every token, and signs each SOAP request.
 *
 * @param key  the private key
 * @param cert the certificate
 */
public record FunctionCertificate(PrivateKey key, X509Certificate cert) {
    public FunctionCertificate {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(cert, "cert");
    }

    /** The first key entry of a PKCS#12 file (key and store password the same, as exported by most tools). */
    public static FunctionCertificate fromPkcs12(Path file, char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password);
        }
        for (String alias : Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(alias)) return new FunctionCertificate((PrivateKey) ks.getKey(alias, password), (X509Certificate) ks.getCertificate(alias));
        }
        throw new IllegalArgumentException(file + " holds no private key");
    }
}
