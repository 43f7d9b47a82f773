package dk.eindkomst.transport.beskedfordeler;

import static dk.eindkomst.transport.beskedfordeler.TestMessages.base64;
import static dk.eindkomst.transport.beskedfordeler.TestMessages.envelopeWith;
import static dk.eindkomst.transport.beskedfordeler.TestMessages.sample;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dk.eindkomst.transport.TestDirs;
import dk.eindkomst.transport.beskedfordeler.BeskedReceiver.Outcome;
import dk.eindkomst.transport.beskedfordeler.BeskedReceiver.Receipt;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The receiving core without a broker: envelope checks, encodings, ledger, attempts. */
class BeskedReceiverTest {
    Path dir;
    Ledger ledger;
    final List<Besked> handled = new ArrayList<>();
    final List<DeadLetter> dead = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        dir = Files.createTempDirectory("eik-receiver-");
        ledger = Ledger.open(dir.resolve("ledger"));
    }

    @AfterEach
    void close() throws Exception {
        ledger.close();
        TestDirs.deleteTree(dir);
    }

    Receipt receive(String body, BeskedHandler handler, int maxAttempts) {
        return new BeskedReceiver(ledger, handler, maxAttempts, null)
                .receive(body.getBytes(StandardCharsets.UTF_8), BodyForm.HAENDELSESBESKED, "m-" + body.hashCode(), false, dead::add);
    }

    Receipt receive(String body) {
        return receive(body, handled::add, 5);
    }

    @Test
    void theSharedCasesOfTestdataReachTheirOutcome() throws Exception {
        List<TestMessages.Case> cases = TestMessages.cases();
        assertEquals(9, cases.size());
        byte[][] sampleLines = Arrays.stream(new String(sample(), StandardCharsets.ISO_8859_1).split("\n"))
                .map(l -> (l + "\n").getBytes(StandardCharsets.ISO_8859_1)).toArray(byte[][]::new);
        for (TestMessages.Case c : cases) {
            handled.clear();
            dead.clear();
            BodyForm form = c.channel().equals("rest") ? BodyForm.MODTAG_BESKED_INPUT : BodyForm.HAENDELSESBESKED;
            Receipt r = new BeskedReceiver(ledger, handled::add, 5, null).receive(c.body(), form, null, false, dead::add);
            if (c.outcome().equals("handled")) {
                assertEquals(Outcome.HANDLED, r.outcome(), c.file());
                assertEquals(c.records(), handled.get(0).records().size(), c.file());
                assertEquals(c.beskedId(), handled.get(0).beskedId(), c.file());
                // UTF-8 or ISO-8859-1: the engine sees the same bytes, line for line (æ, ø, ü, ß included).
                for (int i = 0; i < c.records(); i++) {
                    byte[] rec = handled.get(0).records().get(i).bytes();
                    assertArrayEquals(Arrays.copyOf(sampleLines[i], rec.length), rec, c.file() + " record " + i);
                }
                assertEquals(c.file().equals("modtag-besked-input.xml"), handled.get(0).redelivered(), "AntalLeveranceforsoeg 2");
            } else {
                assertEquals(Outcome.DEAD_LETTERED, r.outcome(), c.file());
                assertEquals(c.code(), dead.get(0).errorCode(), c.file());
                assertEquals(c.beskedId(), dead.get(0).beskedId(), c.file());
                if (c.reason() != null) assertEquals(c.reason(), dead.get(0).errorText(), c.file());
                assertArrayEquals(c.body(), dead.get(0).body());
            }
        }
    }

    @Test
    void theEncodingAttributeDecidesHowThePayloadIsRead() {
        String text = new String(sample(), StandardCharsets.ISO_8859_1);
        record Try(String encoding, byte[] payload, String code, String reason) {}
        byte[] asciiOnly = text.replace('ø', 'o').replace('Æ', 'A').replace('ü', 'u').replace('ß', 's').getBytes(StandardCharsets.US_ASCII);
        List<Try> tries = List.of(
                new Try("ISO-8859-1", sample(), null, null),
                new Try("Binary", sample(), null, null),
                new Try("utf-8", text.getBytes(StandardCharsets.UTF_8), null, null),
                new Try("Windows-1252", text.getBytes(Charset.forName("windows-1252")), null, null),
                new Try("ASCII", asciiOnly, null, null),
                new Try("ASCII", sample(), "bad_encoding", "byte offset 59 of the payload is not valid ASCII"),
                new Try("UTF-8", sample(), "bad_encoding", "byte offset 59 of the payload is not valid UTF-8"),
                new Try("Windows-1252", text.replace("Kommunal Løn", "Kommunal L\u20acn").getBytes(Charset.forName("windows-1252")), "not_latin1",
                        "character U+20AC at byte offset 59 (line 1) of the WINDOWS-1252 payload cannot be written in ISO-8859-1, which the records use"),
                new Try("UTF-32", text.getBytes(Charset.forName("UTF-32")), "unknown_encoding",
                        "encoding \"UTF-32\" is not supported (supported: ISO-8859-1, UTF-8, ASCII, Windows-1252, Binary)"),
                new Try(null, sample(), "unknown_encoding",
                        "Base64 element has no encoding attribute (supported: ISO-8859-1, UTF-8, ASCII, Windows-1252, Binary)"));
        int n = 0;
        for (Try t : tries) {
            handled.clear();
            dead.clear();
            Receipt r = receive(envelopeWith("enc-" + n++, base64(t.payload, t.encoding)));
            if (t.code == null) {
                assertEquals(Outcome.HANDLED, r.outcome(), t.encoding);
                assertEquals(27, handled.get(0).records().size(), t.encoding);
                assertEquals(TestMessages.sampleTypes(), handled.get(0).records().stream().map(rec -> rec.recordType()).toList());
            } else {
                assertEquals(Outcome.DEAD_LETTERED, r.outcome(), t.encoding);
                assertEquals(t.code, dead.get(0).errorCode(), t.encoding);
                assertEquals(t.reason, dead.get(0).errorText(), t.encoding);
            }
        }
        // The Base64 of a transcoded payload is decoded here: a bad character is reported with its offset.
        dead.clear();
        receive(envelopeWith("enc-bad64", "<Base64 encoding=\"UTF-8\">QUJD\nR*Ej</Base64>"));
        assertEquals("invalid_base64", dead.get(0).errorCode());
        assertEquals("invalid Base64 character at offset 5 of the Base64 text (whitespace removed)", dead.get(0).errorText());
        // Two payloads: the failing one is named.
        dead.clear();
        receive(envelopeWith("enc-two", base64(sample(), "ISO-8859-1") + base64(sample(), "UTF-16")));
        assertEquals("payload 2: encoding \"UTF-16\" is not supported (supported: ISO-8859-1, UTF-8, ASCII, Windows-1252, Binary)",
                     dead.get(0).errorText());
    }

    @Test
    void handlerAttemptsAreBoundedAndCountedAcrossRestarts() throws Exception {
        String body = envelopeWith("poison-1", base64(sample(), "ISO-8859-1"));
        List<Integer> attempts = new ArrayList<>();
        BeskedHandler failing = b -> {
            attempts.add(b.attempt());
            throw new IllegalStateException("store down for 610190-1234");
        };
        assertEquals(new Receipt(Outcome.RETRY, "handler_failed", "handler failed (attempt 1 of 3)"), receive(body, failing, 3));
        assertEquals(Outcome.RETRY, receive(body, failing, 3).outcome());
        Receipt third = receive(body, failing, 3);
        assertEquals(Outcome.DEAD_LETTERED, third.outcome());
        assertEquals(List.of(1, 2, 3), attempts);
        assertEquals("handler_failed", dead.get(0).errorCode());
        assertEquals("handler failed 3 times, last: java.lang.IllegalStateException: store down for **********", dead.get(0).errorText());
        assertEquals(Outcome.DUPLICATE, receive(body, failing, 3).outcome());
        assertEquals(3, attempts.size());

        // Attempts cut short by a crash (BEGIN without an outcome) count too, and the next one is marked interrupted.
        ledger.begin("b:crash-1", 1);
        ledger.close();
        ledger = Ledger.open(dir.resolve("ledger"));
        String crashed = envelopeWith("crash-1", base64(sample(), "ISO-8859-1"));
        receive(crashed, handled::add, 3);
        assertEquals(2, handled.get(0).attempt());
        assertTrue(handled.get(0).interrupted());
        // A message that crashed the process at every attempt is dead-lettered without calling the handler again.
        for (int i = 1; i <= 3; i++) ledger.begin("b:crash-2", i);
        dead.clear();
        Receipt r = receive(envelopeWith("crash-2", base64(sample(), "ISO-8859-1")), b -> { throw new AssertionError("called"); }, 3);
        assertEquals(Outcome.DEAD_LETTERED, r.outcome());
        assertEquals("handler had 3 attempts; the last one did not return (the process stopped)", dead.get(0).errorText());
    }

    @Test
    void aSettledBeskedIdIsNeverHandedOverAgainAfterARestart() throws Exception {
        String body = envelopeWith("once-1", base64(sample(), "ISO-8859-1"));
        assertEquals(Outcome.HANDLED, receive(body).outcome());
        assertFalse(handled.get(0).interrupted());
        assertEquals(1, handled.get(0).attempt());
        ledger.close();
        ledger = Ledger.open(dir.resolve("ledger"));
        // A replay with a new message id and a new TransaktionsId, after the restart.
        String replay = envelopeWith("once-1", base64(sample(), "ISO-8859-1"));
        assertEquals(Outcome.DUPLICATE, receive(replay).outcome());
        assertEquals(1, handled.size());
        // An operator releases it: handled again.
        assertTrue(ledger.forget("b:once-1"));
        assertEquals(Outcome.HANDLED, receive(replay).outcome());
        assertEquals(2, handled.size());
    }

    @Test
    void schemaErrorsAreDeadLetteredWithTheirPositionAndNoPersonalData() {
        String body = envelopeWith("schema-1", base64(sample(), "ISO-8859-1"))
                .replace("<BeskedVersion>1.0</BeskedVersion>", "<BeskedVersion>1.0</BeskedVersion><Kopi>6101901234</Kopi>");
        assertEquals(Outcome.DEAD_LETTERED, receive(body).outcome());
        assertEquals("invalid_envelope", dead.get(0).errorCode());
        assertTrue(dead.get(0).errorText().startsWith("not valid against the Beskedfordeler schema at line 2, column "), dead.get(0).errorText());
        assertTrue(dead.get(0).errorText().contains("Kopi"), dead.get(0).errorText());
        dead.clear();
        String typed = envelopeWith("schema-2", base64(sample(), "ISO-8859-1"))
                .replace("</TransaktionsId>", "</TransaktionsId><Leveranceruter><Leverancerute><LeveranceruteLokalUdvidelse>"
                         + "<AntalLeveranceforsoeg>6101901234x</AntalLeveranceforsoeg></LeveranceruteLokalUdvidelse></Leverancerute></Leveranceruter>");
        receive(typed);
        assertEquals("invalid_envelope", dead.get(0).errorCode());
        assertFalse(dead.get(0).errorText().matches("(?s).*[0-9]{10}.*"), dead.get(0).errorText());
        assertTrue(dead.get(0).errorText().contains("**********"), dead.get(0).errorText());
        dead.clear();
        receive("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"6101901234\">]><Haendelsesbesked>&e;</Haendelsesbesked>");
        assertEquals("bad_envelope", dead.get(0).errorCode());
        assertEquals("not well-formed XML (or a DTD) at line 1, column 31", dead.get(0).errorText());
        assertEquals(List.of(), handled);
    }

    @Test
    void theSchemasPackedInTheJarAreKombitsUnchanged() throws Exception {
        // The project's reference copy sits in shared/ beside the repository (CI) or beside the worktrees.
        Path shared = Stream.of(TestMessages.ROOT.resolve("../shared"), TestMessages.ROOT.resolve("../../shared"))
                .map(p -> p.resolve("spec/xsd/beskedfordeler").normalize()).filter(Files::isDirectory).findFirst()
                .orElseThrow(() -> new AssertionError("no shared/spec/xsd/beskedfordeler beside the repository"));
        List<String> files = List.of("AnvendersystemOperationer.xsd", "Beskedkuvert.xsd", "BeskeddataBase64ver.2.00.xsd", "1.1/SagDokObjekt.xsd",
                                     "1.1/OrganisationFaelles.xsd", "1.1/Part.xsd", "cached/xmldsig-core-schema.xsd");
        for (String f : files) {
            try (var in = BeskedReceiverTest.class.getResourceAsStream("/dk/eindkomst/transport/xsd/beskedfordeler/" + f)) {
                assertArrayEquals(Files.readAllBytes(shared.resolve(f)), in.readAllBytes(), f);
            }
        }
    }
}
