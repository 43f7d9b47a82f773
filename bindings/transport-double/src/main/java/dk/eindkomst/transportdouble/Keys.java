package dk.eindkomst.transportdouble;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The certificates made by make-certs.sh: keys for TLS and signing, and the CA every client must chain to. */
final class Keys {
    static final char[] PASSWORD = "changeit".toCharArray();

    /** A private key with its certificate. */
    record Pair(PrivateKey key, X509Certificate cert) {}

    final Path dir;
    final X509Certificate ca;
    final Pair server;
    final Pair sts;
    final Pair sp;
    final Pair stranger;

    Keys(Path dir) throws Exception {
        this.dir = dir;
        ca = cert(dir.resolve("ca.crt"));
        server = pair("server");
        sts = pair("sts");
        sp = pair("sp");
        stranger = pair("stranger");
    }

    static X509Certificate cert(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    static X509Certificate cert(byte[] der) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(der));
    }

    private Pair pair(String name) throws Exception {
        KeyStore ks = p12(name);
        String alias = ks.aliases().nextElement();
        return new Pair((PrivateKey) ks.getKey(alias, PASSWORD), (X509Certificate) ks.getCertificate(alias));
    }

    private KeyStore p12(String name) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(name + ".p12"))) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    /** TLS with the server certificate; trusts client certificates of the test CA only. */
    SSLContext serverTls() throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(p12("server"), PASSWORD);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** Null when {@code cert} is a valid certificate issued by the test CA, else why not. */
    String untrusted(X509Certificate cert) {
        try {
            var path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(cert));
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
            params.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX").validate(path, params);
            return null;
        } catch (Exception e) {
            return "certificate " + cert.getSubjectX500Principal().getName() + " is not issued by a trusted CA";
        }
    }
}
