package dk.eindkomst.transport.soap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dk.eindkomst.transport.TestEngine;
import dk.eindkomst.transport.Tls;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SOAP client over HTTPS with a client certificate from a PKCS#12 keystore (keys made by keytool here). */
class MutualTlsTest {
    static final char[] PW = "changeit".toCharArray();

    @TempDir
    Path dir;

    void keytool(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }

    /** A self-signed key pair in {@code name.p12} and its certificate in {@code name.crt}. */
    void keyPair(String name, String dname, String san) throws Exception {
        keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-dname", dname, "-validity", "2",
                "-ext", "SAN=" + san, "-storetype", "PKCS12", "-keystore", dir.resolve(name + ".p12").toString(),
                "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-alias", name, "-keystore", dir.resolve(name + ".p12").toString(), "-storepass", "changeit",
                "-file", dir.resolve(name + ".crt").toString());
    }

    void trust(String store, String cert) throws Exception {
        keytool("-importcert", "-noprompt", "-alias", cert, "-file", dir.resolve(cert + ".crt").toString(), "-storetype", "PKCS12",
                "-keystore", dir.resolve(store + ".p12").toString(), "-storepass", "changeit");
    }

    @Test
    void callsWithTheFunctionCertificateAndIsRefusedWithout() throws Exception {
        keyPair("server", "CN=127.0.0.1", "ip:127.0.0.1");
        keyPair("client", "CN=eindkomst test function certificate", "dns:client.test");
        trust("server-trust", "client");
        trust("client-trust", "server");
        var serverTls = Tls.fromPkcs12(dir.resolve("server.p12"), PW, dir.resolve("server-trust.p12"), PW);
        try (SoapDouble sp = new SoapDouble(Set.of(SoapClientTest.SE), serverTls)) {
            var withCert = Tls.fromPkcs12(dir.resolve("client.p12"), PW, dir.resolve("client-trust.p12"), PW);
            var client = new IndkomstAbonnementVedligeholdClient(
                    new SoapEndpoint(sp.uri(SoapDouble.VEDLIGEHOLD_PATH), SoapDouble.VEDLIGEHOLD_ACTION, withCert, Duration.ofSeconds(10), null),
                    SoapClientTest.FULL_CONTEXT, SoapClientTest.ADGANG, TestEngine.identifierCheck());
            Svar svar = client.start(SoapClientTest.SE, LocalDate.of(2025, 2, 1), List.of(SoapClientTest.CPR_A));
            assertEquals(sp.requests.get(0).transaktionsId(), svar.transaktionsId());

            var noCert = Tls.fromPkcs12(null, null, dir.resolve("client-trust.p12"), PW);
            var refused = new IndkomstAbonnementVedligeholdClient(
                    new SoapEndpoint(sp.uri(SoapDouble.VEDLIGEHOLD_PATH), SoapDouble.VEDLIGEHOLD_ACTION, noCert, Duration.ofSeconds(10), null),
                    SoapClientTest.FULL_CONTEXT, SoapClientTest.ADGANG, TestEngine.identifierCheck());
            assertThrows(SoapTransportException.class, () -> refused.start(SoapClientTest.SE, LocalDate.of(2025, 2, 1), List.of(SoapClientTest.CPR_A)));
            assertEquals(1, sp.requests.size());
        }
    }
}
