package dk.eindkomst;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Damaged input: exact positions in strict and lenient mode; the decoder's life cycle. */
class FindingsTest {
    /** The sample with an 'X' in line 10's Beloeb (6001 field 4), at byte 731 of the stream. */
    static byte[] damaged() throws IOException {
        byte[] d = SampleTest.sample();
        int lineStart = 711; // line 10 (checked below)
        assertEquals('\n', d[lineStart - 1]);
        assertEquals("0000010", new String(d, lineStart, 7, java.nio.charset.StandardCharsets.ISO_8859_1));
        d[lineStart + 15 + 5] = 'X'; // Beloeb starts at byte 15 of a 6001
        return d;
    }

    static void assertBeloebFinding(Finding f) {
        assertEquals(FindingType.REJECTED, f.type());
        assertEquals(FindingKind.NOT_DIGIT, f.kind());
        assertEquals("not_digit", f.code());
        assertEquals(10, f.line());
        assertEquals(OptionalInt.of(10), f.lbNr());
        assertEquals(6001, f.record());
        assertEquals(4, f.fieldNo());
        assertEquals("Beloeb", f.fieldName());
        assertEquals(731, f.offset());
        assertEquals("line 10 (Lb_nr 10), record 6001, field 4 Beloeb, offset 731: non-digit in numeric field",
                f.toString());
    }

    @Test
    void strictModeThrowsAfterTheRecordsBeforeTheBadLine() throws IOException {
        List<Record> got = new ArrayList<>();
        try (EindkomstDecoder d = new EindkomstDecoder(new ByteArrayInputStream(damaged()), Options.strict())) {
            Iterator<Record> it = d.iterator();
            EindkomstException e = assertThrows(EindkomstException.class, () -> {
                while (it.hasNext()) {
                    got.add(it.next());
                }
            });
            assertEquals(9, got.size());
            assertEquals(9, got.get(8).line());
            assertEquals(10, e.line());
            assertEquals(OptionalInt.of(10), e.lbNr());
            assertEquals(6001, e.record());
            assertEquals(4, e.fieldNo());
            assertEquals("Beloeb", e.fieldName());
            assertEquals(731, e.offset());
            assertEquals(FindingKind.NOT_DIGIT, e.kind());
            assertEquals("rejected: line 10 (Lb_nr 10), record 6001, field 4 Beloeb, offset 731: "
                    + "non-digit in numeric field", e.getMessage());
            assertBeloebFinding(e.finding());
            // The decoder stays stopped.
            assertThrows(EindkomstException.class, it::hasNext);
            assertEquals(10, d.counts().lines());
            assertEquals(1, d.counts().rejected());
        }
    }

    @Test
    void lenientModeCollectsTheFindingAndGoesOn() throws IOException {
        try (EindkomstDecoder d = new EindkomstDecoder(new ByteArrayInputStream(damaged()))) {
            List<Record> got = new ArrayList<>();
            d.forEach(got::add);
            assertEquals(26, got.size());
            assertEquals(9, got.get(8).line());
            assertEquals(11, got.get(9).line());
            assertEquals(1, d.findings().size());
            assertBeloebFinding(d.findings().get(0));
            Counts c = d.counts();
            assertEquals(27, c.lines());
            assertEquals(26, c.decoded());
            assertEquals(1, c.rejected());
            assertEquals(new Counts.TypeCount(6, 1), c.byType().get(6001));
        }
    }

    @Test
    void streamErrorsHaveNoField() {
        // A 1000 line alone: no 9999 at the end.
        byte[] only = "0000001100020250203061500123456781234567801     0Kommunal Lxn        4.2.1               HOVED2025020001 2.0P                                E\n"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        try (EindkomstDecoder d = new EindkomstDecoder(new ByteArrayInputStream(only))) {
            assertEquals(1, d.stream().count());
            assertEquals(1, d.findings().size());
            Finding f = d.findings().get(0);
            assertEquals(FindingType.ERROR, f.type());
            assertEquals(FindingKind.MISSING_END_RECORD, f.kind());
            assertEquals(0, f.fieldNo());
            assertEquals("", f.fieldName());
        }
        EindkomstException e = assertThrows(EindkomstException.class,
                () -> SampleTest.decodeAll(new ByteArrayInputStream(new byte[0]), Options.strict()));
        assertEquals(FindingKind.EMPTY_INPUT, e.kind());
    }

    @Test
    void closedDecoderIsNeverUsed() throws IOException {
        EindkomstDecoder d = new EindkomstDecoder(new ByteArrayInputStream(SampleTest.sample()));
        Iterator<Record> it = d.iterator();
        assertTrue(it.hasNext());
        it.next();
        d.close();
        d.close(); // twice is fine
        assertEquals(27, d.counts().lines()); // kept from closing: the first chunk was decoded
        assertThrows(IllegalStateException.class, () -> {
            while (it.hasNext()) {
                it.next();
            }
        });
        assertThrows(IllegalStateException.class, d::iterator); // one iterator per decoder
    }

    @Test
    void closingTheStreamClosesTheDecoder() throws IOException {
        EindkomstDecoder d = new EindkomstDecoder(new java.io.BufferedInputStream(
                new ByteArrayInputStream(SampleTest.sample())));
        try (java.util.stream.Stream<Record> s = d.stream()) {
            assertEquals(27, s.filter(r -> r.line() > 0).count());
        }
        assertEquals(27, d.counts().decoded()); // kept from closing
        assertThrows(IllegalStateException.class, d::iterator);
    }

    @Test
    void aClosedDecoderDoesNotReadItsStream() throws IOException {
        // A stream that fails once closed: the decoder must throw IllegalStateException
        // before it would read it.
        InputStream in = new java.io.BufferedInputStream(new ByteArrayInputStream(SampleTest.sample()), 64);
        EindkomstDecoder d = new EindkomstDecoder(in);
        Iterator<Record> it = d.iterator();
        d.close();
        assertThrows(IllegalStateException.class, it::hasNext);
    }

    @Test
    void readErrorsSurfaceAsUncheckedIoExceptions() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("disk gone");
            }
        };
        try (EindkomstDecoder d = new EindkomstDecoder(broken)) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> d.iterator().hasNext());
            assertEquals("disk gone", e.getCause().getMessage());
        }
    }

    @Test
    void manyDecodersAreFreedByTheCleaner() throws IOException {
        byte[] s = SampleTest.sample();
        for (int i = 0; i < 200; i++) {
            EindkomstDecoder d = new EindkomstDecoder(new ByteArrayInputStream(s));
            assertTrue(d.iterator().hasNext()); // never closed: the Cleaner frees it
        }
        System.gc();
        assertFalse(SampleTest.decodeAll(new ByteArrayInputStream(s), Options.lenient()).isEmpty());
    }
}
