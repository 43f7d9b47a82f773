package dk.eindkomst.transport.amqp;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A throw-away test CA with a server certificate for 127.0.0.1 and a client certificate (PEM for the broker,
 * PKCS#12 for the Java client), made with openssl and keytool.
 */
record TlsFiles(Path dir, String clientCn) {
    static final String PASSWORD = "changeit";

    static TlsFiles make(Path dir, String clientCn) throws Exception {
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=eik-test-ca", "-days", "2");
        for (String[] who : new String[][] {{"server", "/CN=localhost"}, {"client", "/CN=" + clientCn}, {"stranger", "/CN=" + clientCn}}) {
            run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", who[0] + ".key", "-out", who[0] + ".csr", "-subj", who[1]);
        }
        run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt",
            "-days", "2", "-extfile", "server.ext");
        run(dir, "openssl", "x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "client.crt", "-days", "2");
        // Same name, but self-signed: not issued by the CA the broker trusts.
        run(dir, "openssl", "x509", "-req", "-in", "stranger.csr", "-signkey", "stranger.key", "-out", "stranger.crt", "-days", "2");
        for (String who : new String[] {"client", "stranger"}) {
            run(dir, "openssl", "pkcs12", "-export", "-in", who + ".crt", "-inkey", who + ".key", "-out", who + ".p12", "-passout", "pass:" + PASSWORD);
        }
        run(dir, Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert", "-noprompt", "-alias", "ca",
            "-file", "ca.crt", "-storetype", "PKCS12", "-keystore", "trust.p12", "-storepass", PASSWORD);
        return new TlsFiles(dir, clientCn);
    }

    Path caCert() { return dir.resolve("ca.crt"); }
    Path serverCert() { return dir.resolve("server.crt"); }
    Path serverKey() { return dir.resolve("server.key"); }
    Path clientP12() { return dir.resolve("client.p12"); }
    Path strangerP12() { return dir.resolve("stranger.p12"); }
    Path trustP12() { return dir.resolve("trust.p12"); }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
    }
}
