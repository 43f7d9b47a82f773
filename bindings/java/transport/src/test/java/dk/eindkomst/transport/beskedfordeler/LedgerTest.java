package dk.eindkomst.transport.beskedfordeler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dk.eindkomst.transport.TestDirs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LedgerTest {
    @Test
    void stateSurvivesReopeningATornLastLineIsCutAndOldEntriesExpire() throws Exception {
        Path dir = Files.createTempDirectory("eik-ledger-");
        try {
            Path file = dir.resolve("state").resolve("ledger");
            Instant t0 = Instant.parse("2025-02-01T00:00:00Z");
            try (Ledger l = Ledger.open(file, Ledger.DEFAULT_RETENTION, Clock.fixed(t0, ZoneOffset.UTC))) {
                l.begin("b:a", 1);
                l.handled("b:a", 1);
                l.begin("b:b", 1);
                l.failed("b:b", 1, "IOException");
                l.begin("b:b", 2);
                l.dead("m:x\ty%\n", 0, "bad_envelope");
            }
            // A write cut short by SIGKILL leaves a line without its newline: that step did not happen.
            Files.writeString(file, "1738368000000\tHANDLED\t2\tb:b", StandardOpenOption.APPEND);
            Instant t1 = t0.plus(Duration.ofDays(29));
            try (Ledger l = Ledger.open(file, Ledger.DEFAULT_RETENTION, Clock.fixed(t1, ZoneOffset.UTC))) {
                assertEquals(new Ledger.Entry("HANDLED", 1, t0.toEpochMilli()), l.get("b:a"));
                assertTrue(l.get("b:a").settled());
                assertEquals(new Ledger.Entry("BEGIN", 2, t0.toEpochMilli()), l.get("b:b"));
                assertTrue(l.get("b:b").interrupted());
                assertEquals("DEAD", l.get("m:x\ty%\n").state());
                assertEquals(3, l.size());
                l.begin("b:c", 1);
                l.handled("b:c", 1);
            }
            // Opening compacted the file to one line per key; the key with TAB, % and LF is escaped.
            String text = Files.readString(file, StandardCharsets.UTF_8);
            assertEquals(5, text.lines().count(), text);
            assertTrue(text.contains("\tm:x%09y%25%0A\n"), text);
            // 31 days after the first entries, only the one from day 29 is kept.
            try (Ledger l = Ledger.open(file, Ledger.DEFAULT_RETENTION, Clock.fixed(t0.plus(Duration.ofDays(31)), ZoneOffset.UTC))) {
                assertNull(l.get("b:a"));
                assertNull(l.get("b:b"));
                assertEquals("HANDLED", l.get("b:c").state());
                assertEquals(1, l.size());
                assertTrue(l.forget("b:c"));
                assertNull(l.get("b:c"));
            }
            try (Ledger l = Ledger.open(file)) {
                assertEquals(0, l.size());
            }
        } finally {
            TestDirs.deleteTree(dir);
        }
    }
}
