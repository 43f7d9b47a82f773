package dk.eindkomst.transport;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A throw-away test CA with a server certificate (for 127.0.0.1 and localhost unless told otherwise), a client
 * certificate and a "stranger" client certificate with the same name but self-signed (PEM for the servers and
 * curl, PKCS#12 for the Java clients), made with openssl and keytool.
 */
public record TlsFiles(Path dir, String clientCn) {
    public static final String PASSWORD = "changeit";

    public static TlsFiles make(Path dir, String clientCn) throws Exception {
        return make(dir, clientCn, "IP:127.0.0.1,DNS:localhost");
    }

    /** With the server certificate's subjectAltName {@code san}, e.g. {@code DNS:localhost}. */
    public static TlsFiles make(Path dir, String clientCn, String san) throws Exception {
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=" + san + "\n");
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=eik-test-ca", "-days", "2");
        for (String[] who : new String[][] {{"server", "/CN=localhost"}, {"client", "/CN=" + clientCn}, {"stranger", "/CN=" + clientCn}}) {
            run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", who[0] + ".key", "-out", who[0] + ".csr", "-subj", who[1]);
        }
        run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt",
            "-days", "2", "-extfile", "server.ext");
        run(dir, "openssl", "x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "client.crt", "-days", "2");
        // Same name, but self-signed: not issued by the CA the broker trusts.
        run(dir, "openssl", "x509", "-req", "-in", "stranger.csr", "-signkey", "stranger.key", "-out", "stranger.crt", "-days", "2");
        for (String who : new String[] {"server", "client", "stranger"}) {
            run(dir, "openssl", "pkcs12", "-export", "-in", who + ".crt", "-inkey", who + ".key", "-out", who + ".p12", "-passout", "pass:" + PASSWORD);
        }
        run(dir, Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert", "-noprompt", "-alias", "ca",
            "-file", "ca.crt", "-storetype", "PKCS12", "-keystore", "trust.p12", "-storepass", PASSWORD);
        return new TlsFiles(dir, clientCn);
    }

    public Path caCert() { return dir.resolve("ca.crt"); }
    public Path serverCert() { return dir.resolve("server.crt"); }
    public Path serverKey() { return dir.resolve("server.key"); }
    public Path serverP12() { return dir.resolve("server.p12"); }
    public Path clientCert() { return dir.resolve("client.crt"); }
    public Path clientKey() { return dir.resolve("client.key"); }
    public Path clientP12() { return dir.resolve("client.p12"); }
    public Path strangerCert() { return dir.resolve("stranger.crt"); }
    public Path strangerKey() { return dir.resolve("stranger.key"); }
    public Path strangerP12() { return dir.resolve("stranger.p12"); }
    public Path trustP12() { return dir.resolve("trust.p12"); }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
    }
}
