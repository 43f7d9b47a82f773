package dk.eindkomst.transport.soap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dk.eindkomst.transport.TestDirs;
import dk.eindkomst.transport.XmlMutator;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * SOAP answers under mutation (XmlMutator, fixed seed), past the signature check (a test security that accepts
 * every answer, so the parsing behind it is reached): each input is an answer or one of the SoapException
 * kinds, nothing else is thrown, no exception text (nor an answer's Advis) holds a CPR, nothing external is
 * resolved. Seeds: the transport double's answers (bindings/transport-double), with Fejl, Advis and fault texts
 * that carry synthetic CPRs.
 */
class AnswerFuzzTest {
    static final int ANSWERS = Integer.getInteger("eindkomst.fuzz.answers", 4000);
    static final String SENT = "5b6c1a52-6d4e-4c61-9f1f-0d2a7c9e3b10";
    static final String MESSAGE_ID = "urn:uuid:0c8a4c1e-2b7d-4e0b-8a6f-3e9d1c2b4a77";
    static final Path DOUBLE = Path.of(System.getProperty("eindkomst.root"), "bindings", "transport-double", "src", "main",
                                       "resources", "dk", "eindkomst", "transportdouble");

    static String fill(String template, String reaktion) {
        return template.replace("${TransaktionsId}", SENT).replace("${SvarReaktion}", reaktion)
                .replaceAll("\\$\\{\\w+\\}", "urn:x:0101604321 (310160-1234)");
    }

    static List<byte[]> seeds() throws Exception {
        String k = "http://kombit.dk/xml/schemas/kontekst/2017/01/01/";
        String fejl = "<SvarReaktion xmlns=\"" + k + "\"><Fejl><FejlId>0101604321</FejlId><FejlTekst>CPR 010160-4321 findes ikke"
                      + "</FejlTekst><KildeId>3112609999</KildeId></Fejl></SvarReaktion>\n";
        String advis = "<SvarReaktion xmlns=\"" + k + "\"><Advis><AdvisId>311260-9999</AdvisId><AdvisTekst>se 0101604321</AdvisTekst>"
                       + "</Advis></SvarReaktion>\n";
        List<byte[]> seeds = new ArrayList<>();
        for (String f : new String[] {"bestil-ok.xml", "ajourfoer-ok.xml", "fault.xml"}) {
            String t = Files.readString(DOUBLE.resolve(f));
            for (String r : new String[] {"", fejl, advis, advis + fejl}) seeds.add(fill(t, r).getBytes(StandardCharsets.UTF_8));
        }
        return seeds;
    }

    @Test
    void mutatedAnswersAreReadOrRefusedWithoutLeaks() throws Exception {
        SoapSecurity acceptAll = new SoapSecurity() {
            @Override public byte[] secure(byte[] envelope) { return envelope; }
            @Override public void verifyAnswer(byte[] answer, boolean fault) { }
        };
        SoapCall call = new SoapCall(SoapEndpoint.of(URI.create("http://127.0.0.1:9/"), "a", null, acceptAll),
                                     new CallContext(null, null, null, null), Clock.systemUTC());
        Map<String, Integer> outcomes = new TreeMap<>();
        Path dir = Files.createTempDirectory("eik-soap-fuzz-");
        try (XmlMutator m = new XmlMutator(2017, seeds(), dir)) {
            for (int i = 0; i < ANSWERS; i++) {
                byte[] input = m.next();
                int status = i % 5 == 0 ? 500 : 200;
                String root = i % 2 == 0 ? IndkomstOplysningVirksomhedAbonnentBestilClient.RESPONSE : IndkomstAbonnementVedligeholdClient.RESPONSE;
                String text;
                try {
                    SoapCall.Answer a = call.answer(status, input, root, SENT, MESSAGE_ID);
                    assertTrue(!a.transaktionsId().contains(XmlMutator.MARKER));
                    text = a.advis().toString();
                    outcomes.merge("answer", 1, Integer::sum);
                } catch (SoapException e) {
                    text = e.getMessage() + " " + e;
                    outcomes.merge(e.getClass().getSimpleName(), 1, Integer::sum);
                } catch (Throwable t) {
                    fail("threw " + t + "; input (Base64): " + Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(input, Math.min(600, input.length))), t);
                    return;
                }
                String leak = XmlMutator.leak(text);
                String shown = text;
                assertNull(leak, () -> "answer with " + leak + ": " + shown.substring(0, Math.min(600, shown.length())) + "; input (Base64): " + Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(input, Math.min(600, input.length))));
            }
            assertEquals(0, m.connections(), "the canary server was contacted");
        } finally {
            TestDirs.deleteTree(dir);
        }
        System.out.println("xml-fuzz-java answers: " + ANSWERS + " inputs " + outcomes);
        assertEquals(ANSWERS, outcomes.values().stream().mapToInt(Integer::intValue).sum());
        for (String kind : List.of("answer", "FejlSvarException", "ServiceplatformFaultException", "SoapTransportException")) {
            assertTrue(outcomes.getOrDefault(kind, 0) > 0, "no " + kind + ": " + outcomes);
        }
    }
}
