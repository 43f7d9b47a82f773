package dk.eindkomst;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binding's records equal {@code eindkomst decode --raw} field for field,
 * and its findings equal the CLI's finding lines, record by record, streamed.
 */
class CliDifferentialTest {
    /** Decodes {@code file} with the binding and with the CLI and compares; returns the number of records. */
    static long compareWithCli(Path file, Path scratch) throws IOException, InterruptedException {
        Path stderr = scratch.resolve("cli-findings.txt");
        Process cli = new ProcessBuilder(TestFiles.cli().toString(), "decode", "--raw", file.toString())
                .redirectError(stderr.toFile())
                .start();
        long n = 0;
        List<Finding> findings;
        try (BufferedReader expected = new BufferedReader(
                        new InputStreamReader(cli.getInputStream(), StandardCharsets.UTF_8), 1 << 16);
                EindkomstDecoder d = new EindkomstDecoder(Files.newInputStream(file))) {
            for (Record r : d) {
                String want = expected.readLine();
                String got = TestFiles.rawJson(r);
                if (!got.equals(want)) {
                    fail("record " + (n + 1) + " of " + file.getFileName() + " differs from the CLI:\n  cli:     "
                            + want + "\n  binding: " + got);
                }
                n++;
            }
            assertNull(expected.readLine(), "the CLI has more records than the binding");
            findings = d.findings();
            assertEquals(n, d.counts().decoded());
        }
        cli.waitFor();
        List<String> cliFindings = Files.readAllLines(stderr, StandardCharsets.UTF_8);
        assertEquals(cliFindings.size(), findings.size(), "number of findings");
        for (int i = 0; i < findings.size(); i++) {
            Finding f = findings.get(i);
            assertEquals(cliFindings.get(i), f.type().label() + ": " + f);
        }
        return n;
    }

    @Test
    void sampleEqualsTheCli(@TempDir Path tmp) throws Exception {
        assertEquals(27, compareWithCli(TestFiles.sample(), tmp));
    }

    @Test
    void generatedFileWithDamageEqualsTheCli(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("generated.txt");
        Process gen = new ProcessBuilder(TestFiles.cli().toString(), "generate", "--records", "30000", "--seed", "11",
                "--errors", "0.02", "-o", file.toString()).inheritIO().start();
        assertEquals(0, gen.waitFor());
        long n = compareWithCli(file, tmp);
        assertTrue(n > 29000 && n < 30000, "records: " + n); // some 6001 lines are rejected
    }

    /**
     * The ~100 MB file named by {@code -Deindkomst.bigFile} (made by
     * scripts/test.d/71-java.sh): compared with the CLI, then timed against
     * {@code eindkomst validate}. The throughput is printed, not asserted.
     */
    @Test
    void bigFileEqualsTheCliAndThroughput(@TempDir Path tmp) throws Exception {
        String big = System.getProperty("eindkomst.bigFile", "");
        Assumptions.assumeTrue(!big.isEmpty(), "set -Deindkomst.bigFile to run");
        Path file = Path.of(big);
        long records = compareWithCli(file, tmp);
        System.out.printf(Locale.ROOT, "java: %s: %d records equal to the CLI's --raw output%n", file.getFileName(),
                records);

        double mb = Files.size(file) / 1e6;
        // Binding and CLI passes alternate, so both see the same load on a shared machine.
        double binding = Double.MAX_VALUE;
        double native_ = Double.MAX_VALUE;
        for (int pass = 0; pass < 3; pass++) {
            long t0 = System.nanoTime();
            long n = 0;
            long check = 0;
            try (EindkomstDecoder d = new EindkomstDecoder(Files.newInputStream(file))) {
                for (Record r : d) {
                    n++;
                    check += r.recordType();
                }
            }
            binding = Math.min(binding, (System.nanoTime() - t0) / 1e9);
            assertEquals(records, n);
            assertTrue(check > 0);

            t0 = System.nanoTime();
            Process p = new ProcessBuilder(TestFiles.cli().toString(), "validate", file.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertEquals(0, p.waitFor());
            native_ = Math.min(native_, (System.nanoTime() - t0) / 1e9);
        }
        System.out.printf(Locale.ROOT,
                "java throughput: binding %.0f MB/s (%.2f M records/s), CLI validate %.0f MB/s; ratio %.2fx native"
                        + " (%.1f MB, best of 3)%n",
                mb / binding, records / binding / 1e6, mb / native_, native_ / binding, mb);
    }
}
