package dk.eindkomst;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * ABI 0.2 in Java: a loaded non-employer family (fixed and separated) equal
 * to the golden --raw file, raw passthrough, encodings, forced layouts,
 * single-value checks, and the event cursor (findings in input order, the
 * record view in place, copies that stay).
 */
class FamilyTest {
    static Path families() {
        return TestFiles.root().resolve("testdata/families");
    }

    /** Every record of {@code text} decoded with {@code options} as --raw lines, through the cursor. */
    static List<String> rawLines(byte[] text, Options options) {
        List<String> out = new ArrayList<>();
        try (EindkomstDecoder d = new EindkomstDecoder(new ByteArrayInputStream(text), options)) {
            while (d.next()) {
                if (d.isRecord()) {
                    out.add(TestFiles.rawJson(d.record()));
                }
            }
        }
        return out;
    }

    @Test
    void demoFamiliesEqualTheGoldenFile() throws Exception {
        List<String> golden = Files.readAllLines(families().resolve("demo.raw.ndjson"), StandardCharsets.UTF_8);
        assertEquals(10, golden.size());
        for (String[] f : new String[][] {{"demo.json", "demo.txt"}, {"demo-separated.json", "demo-separated.txt"}}) {
            Family fam = Family.load(families().resolve(f[0]));
            assertEquals(6, fam.layouts().size());
            assertFalse(fam.hasLineNumbers());
            assertEquals(f[0].contains("separated") ? '\'' : 0, fam.separator());
            byte[] text = Files.readAllBytes(families().resolve(f[1]));
            assertEquals(golden, rawLines(text, Options.lenient().family(fam)), f[1]);
        }
        Family demo = Family.load(families().resolve("demo.json"));
        Layout person = demo.layout(120);
        assertEquals("120", person.key());
        assertEquals(Field.Role.CPR, person.field(2).role());
        assertTrue(person.field(5).tail());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Family.fromJson("{\"family\": {\"name\": \"x\", \"key\": {\"start\": 1, \"len\": 3}}, \"records\": {}}"));
        assertEquals("family: no \"records\"", e.getMessage());
    }

    @Test
    void demoFamilyEqualsTheCli() throws Exception {
        Path family = families().resolve("demo.json");
        Process cli = new ProcessBuilder(TestFiles.cli().toString(), "decode", "--raw", "--family", family.toString(),
                families().resolve("demo.txt").toString()).redirectErrorStream(false).start();
        List<String> want = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, cli.waitFor());
        byte[] text = Files.readAllBytes(families().resolve("demo.txt"));
        assertEquals(want, rawLines(text, Options.lenient().family(Family.load(family))));
    }

    @Test
    void unknownKeysPassRaw() throws Exception {
        String demo = Files.readString(families().resolve("demo.txt"), StandardCharsets.ISO_8859_1);
        int cut = demo.indexOf('\n', demo.indexOf('\n', demo.indexOf('\n') + 1) + 1) + 1;
        byte[] text = (demo.substring(0, cut) + "150ABCDEF\n" + demo.substring(cut)).getBytes(StandardCharsets.ISO_8859_1);
        Options o = Options.lenient().family(Family.load(families().resolve("demo.json"))).unknownRaw(true);
        List<String> events = new ArrayList<>();
        try (EindkomstDecoder d = new EindkomstDecoder(new ByteArrayInputStream(text), o)) {
            while (d.next()) {
                switch (d.eventType()) {
                    case RECORD -> events.add("record " + d.record().line());
                    case RAW -> events.add("raw " + d.raw().key() + " " + d.raw().line() + " " + d.raw().text());
                    case FINDING -> events.add(d.finding().code() + " " + d.finding().line());
                }
            }
            assertEquals(1, d.counts().raw());
        }
        assertEquals(List.of("record 1", "record 2", "record 3", "raw 150 4 150ABCDEF", "passed_raw 4", "record 5"),
                events.subList(0, 6));
    }

    @Test
    void encodingsAndForcedLayouts() throws Exception {
        byte[] sample = Files.readAllBytes(TestFiles.sample());
        byte[] utf8 = new String(sample, StandardCharsets.ISO_8859_1).getBytes(StandardCharsets.UTF_8);
        assertNotEquals(sample.length, utf8.length);
        try (EindkomstDecoder d = new EindkomstDecoder(new ByteArrayInputStream(utf8))) {
            List<String> lines = new ArrayList<>();
            for (Record r : d) {
                lines.add(new String(r.bytes(), StandardCharsets.ISO_8859_1));
            }
            assertEquals(new String(sample, StandardCharsets.ISO_8859_1).lines().toList(), lines);
            assertEquals(List.of("utf8_encoded"), d.findings().stream().map(Finding::code).toList());
            assertEquals(FindingType.WARNING, d.findings().get(0).type());
        }
        try (EindkomstDecoder d = new EindkomstDecoder(new ByteArrayInputStream(utf8),
                Options.lenient().encoding(Encoding.LATIN1))) {
            d.forEach(r -> { });
            assertTrue(d.counts().rejected() > 0);
        }
        Layout tcb = Family.employer().layout(6000, "TaxCardBuilder");
        assertEquals(99, tcb.length());
        for (Options o : List.of(Options.lenient().personLayout(PersonLayout.TAXCARDBUILDER),
                Options.lenient().forceLayout(tcb))) {
            try (EindkomstDecoder d = new EindkomstDecoder(new ByteArrayInputStream(sample), o)) {
                d.forEach(r -> { });
                Finding first = d.findings().get(0);
                assertEquals(FindingKind.NOT_DIGIT, first.kind());
                assertEquals(9, first.line());
            }
        }
    }

    @Test
    void singleValuesAreChecked() {
        Family e = Family.employer();
        assertEquals(Optional.empty(), e.checkField(6000, Field.Role.CPR, "6101901234"));
        Family.FieldCheck c = e.checkField(6000, Field.Role.CPR, "61019O1234").orElseThrow();
        assertEquals(FindingKind.NOT_DIGIT, c.kind());
        assertEquals(5, c.at());
        assertFalse(c.warning());
        assertEquals(4, c.fieldNo());
        c = e.checkField(2001, Field.Role.SE, "1234567").orElseThrow();
        assertEquals(FindingKind.WRONG_LENGTH, c.kind());
        assertEquals(8, c.expected());
        assertEquals(7, c.found());
        assertEquals(Optional.empty(), e.checkField(2001, 4, "12345678"));
        assertThrows(IllegalArgumentException.class, () -> e.checkField(2001, Field.Role.CPR, "6101901234"));
    }

    @Test
    void theCursorGivesEventsInInputOrder() throws Exception {
        byte[] damaged = FindingsTest.damaged();
        List<String> order = new ArrayList<>();
        List<Record> kept = new ArrayList<>();
        try (EindkomstDecoder d = new EindkomstDecoder(new ByteArrayInputStream(damaged))) {
            RecordView first = null;
            while (d.next()) {
                if (d.isRecord()) {
                    RecordView v = d.record();
                    if (first == null) {
                        first = v;
                    }
                    assertSame(first, v, "one view, reused");
                    order.add("record " + v.line());
                    if (v.recordType() == 6001) {
                        kept.add(v.copy());
                    }
                } else {
                    order.add(d.finding().type().label() + " " + d.finding().line());
                }
            }
        }
        assertEquals(List.of("record 9", "rejected 10", "record 11"), order.subList(8, 11));
        // The copies stay valid after the view moved on (line 10 was rejected: 11 is the first 6001).
        assertEquals(11, kept.get(0).line());
        assertEquals(15, kept.get(0).feltnummer().getAsInt());
        assertEquals(java.util.OptionalLong.of(910000), kept.get(0).amountOre());
    }

    @Test
    void viewsReadWithoutCopies() throws Exception {
        byte[] sample = Files.readAllBytes(TestFiles.sample());
        long ore = 0;
        int felt13 = 0;
        try (EindkomstDecoder d = new EindkomstDecoder(new ByteArrayInputStream(sample))) {
            while (d.next()) {
                if (d.isRecord() && d.record().recordType() == 6001) {
                    RecordView r = d.record();
                    ore += r.amountOre().getAsLong();
                    felt13 += r.feltnummerOrMinus1() == 13 ? 1 : 0;
                }
            }
        }
        assertEquals(6906950, ore);
        assertEquals(3, felt13);
    }
}
