package dk.eindkomst.transport.beskedfordeler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dk.eindkomst.transport.TestDirs;
import dk.eindkomst.transport.XmlMutator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Beskedfordeler envelope reader under mutated messages (XmlMutator, fixed seed): every input is an
 * envelope or a {@link Rejection}, nothing else is thrown, no refusal text holds a CPR, nothing external is
 * resolved. Then the whole receiver over mutated messages, poison messages and payloads full of CPRs, and a
 * sweep of everything it writes or says besides the bodies: dead-letter reasons, the BeskedId ledger, the
 * listener's texts (what a host logs), receipts and exception texts.
 */
class XmlFuzzTest {
    /** The handler's failure, with CPRs in its text and its cause's. */
    static final class Poison extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        Poison() {
            super("cannot book 0101604321 / 311260-9999", new RuntimeException("row 3112609999"));
        }
    }

    static final int ENVELOPES = Integer.getInteger("eindkomst.fuzz.envelopes", 4000);
    static final int MESSAGES = Integer.getInteger("eindkomst.fuzz.messages", 600);

    Path dir;

    @BeforeEach
    void open() throws Exception {
        dir = Files.createTempDirectory("eik-xml-fuzz-");
    }

    @AfterEach
    void close() throws Exception {
        TestDirs.deleteTree(dir);
    }

    /** The captured messages of testdata/beskedfordeler, and the sample around lines full of CPRs. */
    static List<byte[]> seeds() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        try (Stream<Path> files = Files.list(TestMessages.CASES)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".xml")).sorted().toList()) seeds.add(Files.readAllBytes(f));
        }
        // The sample's 6000 records carry synthetic CPRs; the BeskedId too (valid: UUIDIdentifikator is a string).
        // TestMessages draws a TransaktionsId; a fixed one keeps the inputs reproducible.
        for (String env : List.of(TestMessages.envelope("urn:uuid:0101604321", TestMessages.wrapped(TestMessages.sample())),
                                  TestMessages.envelope("5d7c0f6e-3b1a-4c55-9d3e-1a2b3c4d5e6f", TestMessages.wrapped(TestMessages.damaged())))) {
            seeds.add(env.replaceAll("(?<=<TransaktionsId><sd:UUIDIdentifikator>)[^<]+", "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9")
                      .getBytes(StandardCharsets.UTF_8));
        }
        return seeds;
    }

    static String show(byte[] input) {
        return "input (Base64): " + Base64.getEncoder().encodeToString(input.length > 600 ? java.util.Arrays.copyOf(input, 600) : input);
    }

    @Test
    void mutatedEnvelopesAreReadOrRefusedWithoutLeaks() throws Exception {
        Map<BodyForm, int[]> outcomes = new EnumMap<>(BodyForm.class);
        Map<String, Integer> codes = new java.util.TreeMap<>();
        try (XmlMutator m = new XmlMutator(19, seeds(), dir)) {
            for (int i = 0; i < ENVELOPES; i++) {
                byte[] input = m.next();
                BodyForm form = i % 4 == 0 ? BodyForm.MODTAG_BESKED_INPUT : BodyForm.HAENDELSESBESKED;
                int[] o = outcomes.computeIfAbsent(form, f -> new int[2]);
                try {
                    Envelope env = Envelope.read(input, form);
                    o[0]++;
                    for (Envelope.Payload p : env.payloads()) {
                        assertTrue(!p.base64().contains(XmlMutator.MARKER), "an external entity was resolved; " + show(input));
                    }
                } catch (Rejection r) {
                    o[1]++;
                    codes.merge(r.code, 1, Integer::sum);
                    String leak = XmlMutator.leak(r.getMessage());
                    assertNull(leak, () -> "input " + " refused with " + leak + ": " + r.getMessage().substring(0, Math.min(600, r.getMessage().length())) + "; " + show(input));
                } catch (Throwable t) {
                    fail("input " + " threw " + t + "; " + show(input), t);
                }
            }
            assertEquals(0, m.connections(), "the canary server was contacted");
        }
        int read = outcomes.values().stream().mapToInt(o -> o[0]).sum();
        int refused = outcomes.values().stream().mapToInt(o -> o[1]).sum();
        System.out.println("xml-fuzz-java envelopes: " + ENVELOPES + " inputs, " + read + " read, " + refused + " refused " + codes);
        assertEquals(ENVELOPES, read + refused);
        // The mutator reaches both sides and every refusal.
        assertTrue(read > ENVELOPES / 50, "too few inputs stay valid: " + read);
        assertTrue(codes.keySet().containsAll(List.of("bad_envelope", "invalid_envelope")), codes.toString());
    }

    @Test
    void theReceiverSaysNoCprAfterFaults() throws Exception {
        List<String> said = new ArrayList<>();
        ReceiverListener listener = new ReceiverListener() {
            @Override public void duplicate(String messageId, String beskedId, boolean redelivered) { said.add("duplicate " + messageId); }
            @Override public void deadLettered(DeadLetter l) { said.add("dead " + l.errorCode() + " " + l.errorText()); }
            // The handler's own exception comes back to the host as it was thrown (not the transport's text).
            @Override public void handlerFailed(String messageId, Exception e) { said.add("failed " + (e instanceof Poison ? "(poison)" : e)); }
        };
        Map<BeskedReceiver.Outcome, Integer> outcomes = new EnumMap<>(BeskedReceiver.Outcome.class);
        int poison = 0;
        List<byte[]> seeds = seeds();
        try (XmlMutator m = new XmlMutator(1919, seeds, dir); Ledger ledger = Ledger.open(dir.resolve("ledger"))) {
            DirectoryDeadLetterSink sink = new DirectoryDeadLetterSink(dir.resolve("dead"));
            // Poison: every fifth message makes the handler throw with CPRs in its text (and its cause's).
            int[] n = {0};
            BeskedHandler handler = b -> {
                if (n[0]++ % 5 == 0) {
                    throw new Poison();
                }
            };
            BeskedReceiver receiver = new BeskedReceiver(ledger, handler, 2, listener);
            for (int i = 0; i < MESSAGES; i++) {
                // Every third message well-formed with a new BeskedId (some CPR-like), the sample or the damaged sample.
                String id = i % 9 == 0 ? "urn:uuid:0101604321-" + i : String.format("5d7c0f6e-3b1a-4c55-9d3e-%012d", i);
                byte[] input = i % 3 == 0 ? TestMessages.envelope(id, TestMessages.wrapped(i % 2 == 0 ? TestMessages.sample() : TestMessages.damaged()))
                        .getBytes(StandardCharsets.UTF_8) : m.next();
                BodyForm form = new String(input, StandardCharsets.ISO_8859_1).contains("ModtagBeskedInput")
                        ? BodyForm.MODTAG_BESKED_INPUT : BodyForm.HAENDELSESBESKED;
                for (int attempt = 0; attempt < 2; attempt++) {
                    BeskedReceiver.Receipt r = receiver.receive(input, form, "m-" + i, attempt > 0, sink);
                    outcomes.merge(r.outcome(), 1, Integer::sum);
                    String leak = XmlMutator.leak(r.text());
                    assertNull(leak, () -> "receipt with " + leak + ": " + r + "; " + show(input));
                    if (r.outcome() != BeskedReceiver.Outcome.RETRY) break;
                    poison++;
                }
            }
            assertEquals(0, m.connections(), "the canary server was contacted");
        }
        // Everything written but the bodies (dead/*.xml: the message as received, CPRs and all).
        int scanned = 0;
        List<Path> files;
        try (Stream<Path> all = Files.walk(dir)) {
            files = all.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith(".xml") && !f.endsWith("canary.txt")).toList();
        }
        for (Path f : files) {
            String text = Files.readString(f, StandardCharsets.ISO_8859_1);
            scanned++;
            String leak = XmlMutator.leak(text);
            assertNull(leak, () -> f + " holds " + leak + ":\n" + text.substring(0, Math.min(2000, text.length())));
        }
        for (String s : said) assertNull(XmlMutator.leak(s), () -> "the listener was told: " + s);
        long errors = files.stream().filter(f -> f.toString().endsWith(".error")).count();
        System.out.println("xml-fuzz-java receiver: " + MESSAGES + " messages " + outcomes + ", " + poison + " poison retries, "
                           + scanned + " files swept (" + errors + " dead-letter reasons + ledger), " + said.size() + " listener texts");
        assertTrue(errors > 10 && outcomes.getOrDefault(BeskedReceiver.Outcome.HANDLED, 0) > 10 && poison > 10, outcomes.toString());
    }
}
