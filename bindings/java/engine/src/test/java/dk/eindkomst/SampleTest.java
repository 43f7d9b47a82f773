package dk.eindkomst;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** testdata/sample.txt through the binding: exact values of several record types. */
class SampleTest {
    static byte[] sample() throws IOException {
        return Files.readAllBytes(TestFiles.sample());
    }

    static List<Record> decodeAll(InputStream in, Options options) {
        List<Record> out = new ArrayList<>();
        try (EindkomstDecoder d = new EindkomstDecoder(in, options)) {
            d.forEach(out::add);
        }
        return out;
    }

    @Test
    void versionMatchesTheEngine() {
        assertEquals("0.2.0", EindkomstDecoder.version());
    }

    @Test
    void libraryIsLoadedFromTheJarResources() {
        assertTrue(EindkomstDecoder.class.getResource("/linux-x86-64/libeindkomst.so") != null);
        assertEquals("", System.getenv().getOrDefault("LD_LIBRARY_PATH", ""));
    }

    @Test
    void countsOfTheSample() throws IOException {
        try (EindkomstDecoder d = new EindkomstDecoder(new ByteArrayInputStream(sample()))) {
            long n = d.stream().count();
            assertEquals(27, n);
            Counts c = d.counts();
            assertEquals(27, c.lines());
            assertEquals(27, c.decoded());
            assertEquals(0, c.rejected());
            assertEquals(0, c.warnings());
            assertEquals(0, c.errors());
            assertEquals(sample().length, c.bytes()); // terminators included
            assertEquals(new Counts.TypeCount(7, 0), c.byType().get(6001));
            assertEquals(new Counts.TypeCount(3, 0), c.byType().get(6000));
            assertEquals(new Counts.TypeCount(2, 0), c.byType().get(2111));
            assertEquals(18, c.byType().size());
            assertTrue(d.findings().isEmpty());
        }
    }

    @Test
    void valuesOfSeveralRecordTypes() throws IOException {
        List<Record> rs = decodeAll(new ByteArrayInputStream(sample()), Options.lenient());
        assertEquals(27, rs.size());

        Record start = rs.get(0);
        assertEquals(1000, start.recordType());
        assertEquals(1, start.line());
        assertEquals(0, start.offset());
        assertEquals(LocalDate.of(2025, 2, 3), start.date(3).orElseThrow());
        assertEquals(LocalTime.of(6, 15), start.time(4).orElseThrow());
        assertEquals("Kommunal Løn", start.value(10));
        assertEquals(OptionalInt.of(12345678), start.seNr());

        Record employer = rs.get(1);
        assertEquals(2001, employer.recordType());
        assertEquals(143, employer.offset());
        assertEquals(OptionalInt.of(12345678), employer.seNr());
        assertEquals("DKK", employer.value("Valutakode"));

        Record amount = rs.get(9);
        assertEquals(6001, amount.recordType());
        assertEquals(10, amount.line());
        assertEquals(10, amount.lbNr());
        assertEquals(711, amount.offset());
        assertEquals(OptionalInt.of(13), amount.feltnummer());
        assertEquals(new BigDecimal("32500.000000"), amount.amount().orElseThrow());
        assertEquals(OptionalLong.of(3_250_000L), amount.amountOre());
        assertEquals("0000032500000000", amount.value(4));
        assertEquals("+", amount.value(5));

        Record negative = rs.get(12);
        assertEquals(13, negative.line());
        assertEquals(OptionalLong.of(-125_050L), negative.amountOre());

        Record person = rs.get(8);
        assertEquals(6000, person.recordType());
        assertEquals("6101901234", person.cpr().orElseThrow()); // synthetic CPR (day + 60)
        assertFalse(person.toString().contains("6101901234"));
        assertEquals("Record 6000 line 9 (Lb_nr 9)", person.toString());

        Record foreign = rs.get(21);
        assertEquals(8001, foreign.recordType());
        assertEquals("Müller, Anna", foreign.value(6));
        assertEquals("Hauptstraße 5", foreign.value(7));

        Record end = rs.get(26);
        assertEquals(9999, end.recordType());
        assertEquals(OptionalLong.of(27), end.number(3));
        assertEquals(OptionalLong.empty(), end.amountOre());
        assertThrows(IllegalArgumentException.class, () -> end.value(99));
    }

    @Test
    void amountOreOrNeedsNoOptional() throws Exception {
        List<Record> rs = decodeAll(new ByteArrayInputStream(sample()), Options.lenient());
        assertEquals(3_250_000L, rs.get(9).amountOreOr(-1));
        assertEquals(-125_050L, rs.get(12).amountOreOr(-1));
        assertEquals(42L, rs.get(26).amountOreOr(42)); // 9999: no amount
        // The cursor's view agrees with amountOre() on every record of the sample.
        int n = 0;
        try (EindkomstDecoder d = new EindkomstDecoder(new ByteArrayInputStream(sample()))) {
            while (d.next()) {
                if (d.isRecord()) {
                    RecordView r = d.record();
                    assertEquals(r.amountOre().orElse(Long.MIN_VALUE), r.amountOreOr(Long.MIN_VALUE), r.toString());
                    // Line, Lb_nr and offset, read from the event when asked, equal the owned copy's.
                    Record owned = rs.get(n);
                    assertEquals(owned.line(), r.line());
                    assertEquals(owned.lbNr(), r.lbNr());
                    assertEquals(owned.offset(), r.offset());
                    assertEquals(n + 1, r.line()); // the sample: one record per line
                    n++;
                }
            }
        }
        assertEquals(rs.size(), n);
    }

    @Test
    void parseDigitsReadsEveryLengthAndRejectsEveryNonDigit() {
        String digits = "9876543210123456";
        for (int len = 0; len <= digits.length(); len++) {
            byte[] b = ("x" + digits.substring(0, len) + "y").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            long want = len == 0 ? 0 : Long.parseLong(digits.substring(0, len));
            assertEquals(want, AbstractRecord.parseDigits(b, 1, 1 + len), "length " + len);
            for (int at = 0; at < len; at++) {
                for (char bad : new char[] {'/', ':', ' ', 'A', '\u00f8', '\u00b0'}) {
                    byte[] c = b.clone();
                    c[1 + at] = (byte) bad;
                    assertEquals(-1, AbstractRecord.parseDigits(c, 1, 1 + len), "length " + len + ", " + bad + " at " + at);
                }
            }
        }
    }

    @Test
    void amountOreReadsEveryDigitOfA16DigitAmount() throws Exception {
        // Line 10 (offset 711) is a 6001 record: Beloeb at 15..31 (16 digits, 6 decimals), its sign at 31.
        Object[][] cases = {
            {"0000032500000000", '+', 3_250_000L},
            {"0000000000010000", '+', 1L},
            {"0000000001000000", '-', -100L},
            {"0012345678900000", '+', 1_234_567_890L},
            {"9876543210980000", '+', 987_654_321_098L},
            {"0999999999990000", '-', -99_999_999_999L},
        };
        for (Object[] c : cases) {
            byte[] s = sample();
            String digits = (String) c[0];
            for (int i = 0; i < 16; i++) {
                s[711 + 15 + i] = (byte) digits.charAt(i);
            }
            s[711 + 31] = (byte) (char) (Character) c[1];
            Record r = decodeAll(new ByteArrayInputStream(s), Options.lenient()).get(9);
            assertEquals(digits, r.value(4));
            assertEquals(OptionalLong.of((Long) c[2]), r.amountOre(), digits);
            assertEquals((long) (Long) c[2], r.amountOreOr(0), digits);
            assertEquals(13, r.feltnummerOrMinus1(), digits);
        }
        // A digit below 1 øre (any of the last four of six decimals) is no amount in øre.
        for (String digits : new String[] {"0000032500001000", "0000032500000100", "0000032500000010",
                "0000032500000001"}) {
            byte[] s = sample();
            for (int i = 0; i < 16; i++) {
                s[711 + 15 + i] = (byte) digits.charAt(i);
            }
            Record r = decodeAll(new ByteArrayInputStream(s), Options.lenient()).get(9);
            assertThrows(ArithmeticException.class, r::amountOre, digits);
            assertThrows(ArithmeticException.class, () -> r.amountOreOr(0), digits);
            assertEquals(new BigDecimal(digits.substring(0, 10) + "." + digits.substring(10)), r.amount().get(), digits);
        }
    }

    @Test
    void layoutsComeFromTheEngine() {
        Layout l = Layout.of(6001);
        assertEquals(6001, l.recordType());
        Field beloeb = l.field(4);
        assertEquals("Beloeb", beloeb.name());
        assertEquals(15, beloeb.start());
        assertEquals(16, beloeb.length());
        assertEquals(Field.Format.AMOUNT, beloeb.format());
        assertEquals(Field.Format.SIGN, l.field(5).format());
        assertTrue(Layout.of(6000).fields().stream().anyMatch(Field::personal));
        assertEquals(null, Layout.of(1234));
    }

    /** Reads one to seven bytes at a time: lines split across chunks come from the scratch area. */
    static final class Trickle extends InputStream {
        private final byte[] data;
        private int pos;

        Trickle(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, 1 + pos % 7), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    @Test
    void smallReadsAndBase64GiveTheSameRecords() throws IOException {
        List<String> whole = decodeAll(new ByteArrayInputStream(sample()), Options.lenient()).stream()
                .map(TestFiles::rawJson).collect(Collectors.toList());
        List<String> trickled = decodeAll(new Trickle(sample()), Options.lenient()).stream()
                .map(TestFiles::rawJson).collect(Collectors.toList());
        byte[] b64 = Base64.getMimeEncoder().encode(sample());
        List<String> base64 = decodeAll(new ByteArrayInputStream(b64), Options.lenient().base64(true)).stream()
                .map(TestFiles::rawJson).collect(Collectors.toList());
        assertEquals(27, whole.size());
        assertEquals(whole, trickled);
        assertEquals(whole, base64);
    }

    @Test
    void amountScaleIsAnOption() throws IOException {
        List<Record> rs = decodeAll(new ByteArrayInputStream(sample()), Options.lenient().amountScale(2));
        assertEquals(new BigDecimal("325000000.00"), rs.get(9).amount().orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> Options.lenient().amountScale(17));
    }
}
