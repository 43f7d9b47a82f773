package dk.eindkomst.transport.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dk.eindkomst.transport.TestDirs;
import dk.eindkomst.transport.Tls;
import dk.eindkomst.transport.TlsFiles;
import dk.eindkomst.transport.beskedfordeler.Besked;
import dk.eindkomst.transport.beskedfordeler.BeskedHandler;
import dk.eindkomst.transport.beskedfordeler.BeskedReceiver;
import dk.eindkomst.transport.beskedfordeler.BodyForm;
import dk.eindkomst.transport.beskedfordeler.DeadLetter;
import dk.eindkomst.transport.beskedfordeler.Ledger;
import dk.eindkomst.transport.beskedfordeler.TestMessages;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The REST push receiver driven by curl (a real HTTPS client) with client certificates, as Beskedfordeler. */
class ModtagBeskedServerTest {
    static Path dir;
    static TlsFiles tls;

    @BeforeAll
    static void certificates() throws Exception {
        dir = Files.createTempDirectory("eik-rest-");
        tls = TlsFiles.make(dir, "beskedfordeler-test");
    }

    @AfterAll
    static void clean() throws Exception {
        TestDirs.deleteTree(dir);
    }

    /** curl's result: its exit code, the HTTP status, StatusKode and FejlbeskedTekst of the answer. */
    record Answer(int exit, int http, String body) {
        int statusKode() {
            Matcher m = Pattern.compile("<sd:StatusKode>([0-9]+)</sd:StatusKode>").matcher(body);
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        }

        String fejl() {
            Matcher m = Pattern.compile("<sd:FejlbeskedTekst>(.*)</sd:FejlbeskedTekst>").matcher(body);
            return m.find() ? m.group(1) : null;
        }
    }

    /** POSTs {@code body} with curl over TLS 1.2, presenting {@code who}'s certificate ("client", "stranger" or null). */
    static Answer curl(int port, String path, byte[] body, String who, String method) throws Exception {
        Path in = Files.createTempFile(dir, "body-", ".xml");
        Files.write(in, body);
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "--tlsv1.2", "--cacert", tls.caCert().toString(),
                "-X", method, "-H", "Content-Type: application/xml; charset=UTF-8", "--data-binary", "@" + in,
                "-w", "\n%{http_code}", "https://127.0.0.1:" + port + path));
        if (who != null) cmd.addAll(List.of("--cert", dir.resolve(who + ".crt").toString(), "--key", dir.resolve(who + ".key").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        int nl = out.lastIndexOf('\n');
        int http = nl < 0 ? 0 : Integer.parseInt(out.substring(nl + 1).trim());
        return new Answer(exit, http, nl < 0 ? out : out.substring(0, nl));
    }

    static Answer post(ModtagBeskedServer s, byte[] body) throws Exception {
        return curl(s.port(), "/ModtagBesked", body, "client", "POST");
    }

    static byte[] input(String beskedId) {
        return TestMessages.modtagBeskedInput(TestMessages.envelope(beskedId, TestMessages.wrapped(TestMessages.sample()))).getBytes(StandardCharsets.UTF_8);
    }

    static ModtagBeskedServer server(Ledger ledger, List<DeadLetter> dead, BeskedHandler handler, int maxAttempts) throws Exception {
        var ctx = Tls.fromPkcs12(tls.serverP12(), TlsFiles.PASSWORD.toCharArray(), tls.trustP12(), TlsFiles.PASSWORD.toCharArray());
        var s = new ModtagBeskedServer(ModtagBeskedServer.builder(new InetSocketAddress("127.0.0.1", 0), ctx, ledger, dead::add)
                                               .maxAttempts(maxAttempts), handler);
        s.start();
        return s;
    }

    /** Every answer must be a valid ModtagBeskedOutput (AnvendersystemOperationer.xsd). */
    static void assertValidOutput(Answer a) throws Exception {
        var f = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        var schema = f.newSchema(ModtagBeskedServer.class.getResource("/dk/eindkomst/transport/xsd/beskedfordeler/AnvendersystemOperationer.xsd"));
        schema.newValidator().validate(new StreamSource(new ByteArrayInputStream(a.body().getBytes(StandardCharsets.UTF_8))));
        assertTrue(a.body().contains("<sts:ModtagBeskedOutput"), a.body());
    }

    @Test
    void anAcceptedCertificateDeliversAndDuplicatesAreAnswered20() throws Exception {
        List<Besked> handled = Collections.synchronizedList(new ArrayList<>());
        List<DeadLetter> dead = Collections.synchronizedList(new ArrayList<>());
        try (Ledger ledger = Ledger.open(dir.resolve("ledger-1")); var s = server(ledger, dead, handled::add, 5)) {
            TestMessages.Case c = TestMessages.cases().stream().filter(k -> k.channel().equals("rest")).findFirst().orElseThrow();
            Answer a = post(s, c.body());
            assertEquals(0, a.exit(), a.body());
            assertEquals(200, a.http());
            assertEquals(20, a.statusKode(), a.body());
            assertEquals(null, a.fejl());
            assertValidOutput(a);
            assertEquals(1, handled.size());
            Besked b = handled.get(0);
            assertEquals(c.beskedId(), b.beskedId());
            assertEquals(c.records(), b.records().size());
            assertEquals(TestMessages.sampleTypes(), b.records().stream().map(r -> r.recordType()).toList());
            assertEquals(null, b.messageId());
            assertTrue(b.redelivered(), "AntalLeveranceforsoeg 2");
            // Beskedfordeler resends (e.g. after a timeout): answered 20 again, not handed over again.
            assertEquals(20, post(s, c.body()).statusKode());
            assertEquals(1, handled.size());
            // The ledger is the one the AMQP consumer uses: the same BeskedId arriving there is a duplicate.
            byte[] viaAmqp = new String(c.body(), StandardCharsets.UTF_8).replaceFirst("(?s)^.*?(<Haendelsesbesked)", "$1")
                    .replace("</sts:ModtagBeskedInput>", "").getBytes(StandardCharsets.UTF_8);
            var r = new BeskedReceiver(ledger, handled::add, 5, null).receive(viaAmqp, BodyForm.HAENDELSESBESKED, "m-1", false, dead::add);
            assertEquals(BeskedReceiver.Outcome.DUPLICATE, r.outcome());
            assertEquals(List.of(), dead);
        }
    }

    @Test
    void aCertificateFromAnotherIssuerOrNoneIsRefusedInTheHandshake() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (Ledger ledger = Ledger.open(dir.resolve("ledger-2")); var s = server(ledger, new ArrayList<>(), b -> calls.incrementAndGet(), 5)) {
            Answer stranger = curl(s.port(), "/ModtagBesked", input("r-1"), "stranger", "POST");
            Answer none = curl(s.port(), "/ModtagBesked", input("r-1"), null, "POST");
            for (Answer a : List.of(stranger, none)) {
                assertNotEquals(0, a.exit(), a.body());
                assertEquals(0, a.http(), a.body()); // no HTTP exchange at all
            }
            assertEquals(0, calls.get());
            assertEquals(null, ledger.get("b:r-1"));
            assertEquals(20, post(s, input("r-1")).statusKode());
            assertEquals(1, calls.get());
        }
    }

    @Test
    void statusCodesTellBeskedfordelerWhatToDo() throws Exception {
        List<DeadLetter> dead = Collections.synchronizedList(new ArrayList<>());
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        BeskedHandler handler = b -> {
            calls.add(b.beskedId() + "#" + b.attempt());
            if (b.beskedId().equals("flaky") && b.attempt() < 3) throw new IllegalStateException("database busy");
            if (b.beskedId().equals("poison")) throw new IllegalStateException("cannot store");
        };
        Ledger ledger = Ledger.open(dir.resolve("ledger-3"));
        try (var s = server(ledger, dead, handler, 3)) {
            // Handler failures: 40 (pause, retry the same message) until it works.
            Answer a = post(s, input("flaky"));
            assertEquals(40, a.statusKode());
            assertEquals("handler failed (attempt 1 of 3)", a.fejl());
            assertValidOutput(a);
            assertEquals(40, post(s, input("flaky")).statusKode());
            assertEquals(20, post(s, input("flaky")).statusKode());
            // A poison message: 40 until the attempts are used, then dead-lettered and 20 (the dueslag moves on).
            assertEquals(40, post(s, input("poison")).statusKode());
            assertEquals(40, post(s, input("poison")).statusKode());
            Answer last = post(s, input("poison"));
            assertEquals(20, last.statusKode());
            assertEquals("not handed to the receiving system, kept as a dead letter: handler_failed", last.fejl());
            assertEquals(List.of("flaky#1", "flaky#2", "flaky#3", "poison#1", "poison#2", "poison#3"), calls);
            // Input invalid against AnvendersystemOperationer.xsd, or empty: dead-lettered with the reason, 20.
            byte[] noId = new String(input("x"), StandardCharsets.UTF_8).replaceFirst("<BeskedId>.*?</BeskedId>", "").getBytes(StandardCharsets.UTF_8);
            Answer invalid = post(s, noId);
            assertEquals(20, invalid.statusKode());
            assertEquals("not handed to the receiving system, kept as a dead letter: invalid_envelope", invalid.fejl());
            assertEquals(20, post(s, new byte[0]).statusKode());
            assertEquals(List.of("handler_failed", "invalid_envelope", "bad_envelope"), dead.stream().map(DeadLetter::errorCode).toList());
            assertTrue(dead.get(1).errorText().contains("BeskedId"), dead.get(1).errorText());
            assertEquals(6, calls.size());
            // Another operation: 51 (not implemented); another version of the interface: 55. Both stop delivery.
            Answer other = curl(s.port(), "/AndenOperation", input("y"), "client", "POST");
            assertEquals(51, other.statusKode());
            assertValidOutput(other);
            byte[] v2 = new String(input("y"), StandardCharsets.UTF_8).replace("urn:oio:sts:1.0.0", "urn:oio:sts:2.0.0").getBytes(StandardCharsets.UTF_8);
            assertEquals(55, post(s, v2).statusKode());
            assertEquals(405, curl(s.port(), "/ModtagBesked", new byte[0], "client", "PUT").http());
            // The ledger cannot be written (here: closed): 53, delivery stops until an operator looks.
            ledger.close();
            Answer broken = post(s, input("z"));
            assertEquals(53, broken.statusKode());
            assertEquals("the ledger cannot be written", broken.fejl());
            assertEquals(6, calls.size());
        }
    }
}
