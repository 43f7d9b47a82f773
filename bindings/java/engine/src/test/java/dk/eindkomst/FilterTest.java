package dk.eindkomst;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filter over JNA: for each dimension the exact kept Lb_nrs on the sample,
 * every kept record equal to {@code eindkomst decode --raw} with the same
 * flags (forbidden fields absent, CPR replaced by its pseudonym), the CLI's
 * {@code filter:} counts line, counts that add up, and forbidden fields blank
 * in the line. CPR numbers are the sample's synthetic ones.
 */
class FilterTest {
    static final byte[] KEY = "eindkomst-binding-test-key".getBytes(StandardCharsets.US_ASCII);
    static final byte[] OTHER_KEY = "another-binding-test-key".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path tmp;

    record Filtered(List<Record> records, FilterCounts counts, Counts decoder, Profile profile) {
        int[] lbNrs() {
            return records.stream().mapToInt(Record::lbNr).toArray();
        }
    }

    static Filtered run(FilterOptions fo, InputStream in) {
        try (EindkomstDecoder d = EindkomstDecoder.builder(in).filter(fo).build()) {
            List<Record> rs = new ArrayList<>();
            d.forEach(rs::add);
            return new Filtered(rs, d.filterCounts().orElseThrow(), d.counts(), fo.profile());
        }
    }

    static Filtered run(FilterOptions fo) throws IOException {
        return run(fo, Files.newInputStream(TestFiles.sample()));
    }

    Path file(String name, String content) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    static int[] range(int from, int to) {
        return IntStream.rangeClosed(from, to).toArray();
    }

    /** Binding vs CLI with the same flags; exact Lb_nrs; counts; projection. */
    static Filtered check(FilterOptions fo, List<String> cliFlags, int[] wantLbNrs, String wantCounts)
            throws Exception {
        Filtered got = run(fo);
        assertEquals(Arrays.toString(wantLbNrs), Arrays.toString(got.lbNrs()), "kept Lb_nrs");

        List<String> cmd = new ArrayList<>(List.of(TestFiles.cli().toString(), "decode", "--raw"));
        cmd.addAll(cliFlags);
        cmd.add(TestFiles.sample().toString());
        Process cli = new ProcessBuilder(cmd).start();
        byte[] out = cli.getInputStream().readAllBytes();
        String err = new String(cli.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, cli.waitFor(), "CLI exit status");
        List<String> want = new String(out, StandardCharsets.UTF_8).lines().collect(Collectors.toList());
        assertEquals(want.size(), got.records().size(), "records (CLI vs binding)");
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i), TestFiles.rawJson(got.records().get(i)), "record " + (i + 1));
        }
        String cliCounts = err.lines().filter(l -> l.startsWith("filter: ")).findFirst().orElseThrow();
        assertEquals(cliCounts, got.counts().toString(), "counts line (CLI vs binding)");
        if (wantCounts != null) {
            assertEquals(wantCounts, got.counts().toString(), "counts line");
        }
        FilterCounts c = got.counts();
        assertEquals(got.decoder().decoded(), c.seen(), "seen = decoded");
        assertEquals(c.seen(), c.passed() + c.filteredOut(), "decoded = passed + filtered out");
        assertEquals(got.records().size(), c.passed(), "passed = records yielded");
        assertEquals(0, c.held(), "nothing held at the end");
        assertProjected(got);
        return got;
    }

    static void assertProjected(Filtered got) {
        for (Record r : got.records()) {
            byte[] b = r.bytes();
            assertEquals(r.layout().length(), b.length, "fixed width");
            Map<Integer, String> listed = r.fields();
            for (Field f : r.layout().fields()) {
                boolean permitted = got.profile().permits(r.recordType(), f.no());
                assertEquals(permitted, r.isPermitted(f.no()), "isPermitted " + r.recordType() + "/" + f.no());
                assertEquals(permitted, listed.containsKey(f.no()), "fields() lists " + r.recordType() + "/" + f.no());
                boolean blank = true;
                for (int i = f.start(); i < f.start() + f.length(); i++) {
                    blank &= b[i] == ' ';
                }
                if (!permitted) {
                    assertTrue(blank, "forbidden field " + f.no() + " of " + r + " is blank");
                }
                if (f.personal() && r.pseudonym().isPresent()) {
                    assertTrue(blank, "CPR field of " + r + " is blank");
                }
            }
        }
    }

    @Test
    void cprSet() throws Exception {
        Path f = file("cprs.txt", "6101901234\n720488-1234\n");
        check(FilterOptions.builder().cprs("720488-1234", "6101901234").build(), List.of("--cpr-file", f.toString()),
                new int[] {1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 27},
                "filter: seen 27, passed 24, filtered out 3 (cpr 2, se 0, record_type 0, felt 0, period 0,"
                        + " parent_dropped 1, empty_header 0)");
        Path one = file("cpr.txt", "7204881234\n");
        Filtered got = check(FilterOptions.builder().cprs("7204881234").build(), List.of("--cpr-file", one.toString()),
                new int[] {1, 2, 6, 8, 21, 22, 23, 24, 27}, null);
        assertEquals(4, got.counts().cpr());
        assertEquals(14, got.counts().parentDropped());
        assertEquals("7204881234", got.records().get(4).cpr().orElseThrow(), "no key: the CPR as is");
        assertTrue(got.records().get(4).pseudonym().isEmpty());
        Filtered none = run(FilterOptions.builder().cprs(List.of()).build());
        assertTrue(none.records().stream().noneMatch(r -> r.recordType() == 6000 || r.recordType() == 6001),
                "empty set: no person");
    }

    @Test
    void seNrSet() throws Exception {
        check(FilterOptions.builder().seNrs(12345678).build(), List.of("--se", "12345678"), range(1, 27), null);
        // 87654321 is a company paid a fee (6000), not an employer.
        Filtered got = check(FilterOptions.builder().seNrs(87654321).build(), List.of("--se", "87654321"),
                new int[] {27}, "filter: seen 27, passed 1, filtered out 26 (cpr 0, se 1, record_type 0, felt 0,"
                        + " period 0, parent_dropped 24, empty_header 1)");
        assertEquals(1, got.counts().se());
    }

    @Test
    void recordTypes() throws Exception {
        check(FilterOptions.builder().recordTypes(6001).build(), List.of("--records", "6001"),
                new int[] {1, 2, 8, 9, 10, 11, 12, 13, 21, 23, 24, 25, 26},
                "filter: seen 27, passed 13, filtered out 14 (cpr 0, se 0, record_type 13, felt 0, period 0,"
                        + " parent_dropped 0, empty_header 1)");
    }

    @Test
    void feltnumre() throws Exception {
        check(FilterOptions.builder().feltnumre(16, 13, 13).build(), List.of("--fields", "13,16"),
                new int[] {1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 18, 19, 20, 21, 22, 23, 27},
                "filter: seen 27, passed 18, filtered out 9 (cpr 0, se 0, record_type 0, felt 8, period 0,"
                        + " parent_dropped 0, empty_header 1)");
    }

    @Test
    void period() throws Exception {
        int[] feb = {1, 2, 3, 4, 5, 7, 27};
        check(FilterOptions.builder().period(new Period(LocalDate.of(2025, 2, 1), LocalDate.of(2025, 2, 28))).build(),
                List.of("--period", "2025-02-01..2025-02-28"), feb,
                "filter: seen 27, passed 7, filtered out 20 (cpr 0, se 0, record_type 0, felt 0, period 2,"
                        + " parent_dropped 18, empty_header 0)");
        check(FilterOptions.builder().period(Period.lastMonths(0, LocalDate.of(2025, 2, 15))).build(),
                List.of("--period", "last:0@2025-02-15"), feb, null);
        check(FilterOptions.builder().period(Period.lastMonths(1, LocalDate.of(2025, 2, 15))).build(),
                List.of("--period", "last:1@2025-02-15"), range(1, 27), null);
        assertEquals("2024-11-01..2025-02-28", Period.lastMonths(3, LocalDate.of(2025, 2, 15)).toString());
    }

    @Test
    void minimalProfile() throws Exception {
        Filtered got = check(FilterOptions.builder().profile(Profile.MINIMAL).build(), List.of("--profile", "minimal"),
                new int[] {1, 2, 8, 9, 10, 12, 13, 21, 23, 25, 26, 27},
                "filter: seen 27, passed 12, filtered out 15 (cpr 0, se 0, record_type 12, felt 2, period 0,"
                        + " parent_dropped 0, empty_header 1)");
        Record person = got.records().get(3);
        assertEquals(6000, person.recordType());
        assertEquals("00000096000        6101901234" + " ".repeat(95 - 29),
                new String(person.bytes(), StandardCharsets.ISO_8859_1), "6000: Lb_nr, Rec_nr, CPR; the rest blank");
        assertEquals(List.of("0000009", "6000", "6101901234", ""), new ArrayList<>(person.fields().values()));
        assertEquals("", person.value(6), "a forbidden field reads as blank");
        assertEquals(3250000L, got.records().get(4).amountOre().getAsLong(), "6001 felt 13 intact");
        assertTrue(got.records().get(0).date(3).isEmpty(), "1000 date forbidden: blank");
    }

    @Test
    void customProfile() throws Exception {
        Path json = file("profile.json",
                "{\"name\": \"skat\", \"records\": {\"6000\": [4], \"6001\": [3, 4, 5]}, \"feltnumre\": [13, 15]}");
        Profile p = Profile.custom("skat", Map.of(6001, List.of(5, 4, 3), 6000, List.of(4)), List.of(15, 13));
        assertEquals("skat", p.name());
        Filtered got = check(FilterOptions.builder().profile(p).build(), List.of("--profile", json.toString()),
                new int[] {1, 2, 8, 9, 10, 11, 13, 21, 23, 24},
                "filter: seen 27, passed 10, filtered out 17 (cpr 0, se 0, record_type 13, felt 2, period 0,"
                        + " parent_dropped 0, empty_header 2)");
        assertEquals(List.of("0000001", "1000"), new ArrayList<>(got.records().get(0).fields().values()),
                "bare 1000 header");
        Filtered none = run(FilterOptions.builder().profile(Profile.custom(Map.of(), null)).build());
        assertEquals(0, none.records().size(), "empty profile: nothing");
        assertEquals(27, none.counts().filteredOut(), "empty profile: all counted");
    }

    @Test
    void randomCustomProfilesEqualTheCli() throws Exception {
        int[] types = Layout.all().stream().mapToInt(Layout::recordType).distinct().toArray();
        Random rnd = new Random(20250203);
        for (int round = 0; round < 20; round++) {
            Map<Integer, List<Integer>> table = new LinkedHashMap<>();
            for (int t : types) {
                if (rnd.nextInt(3) != 0) {
                    table.put(t, Layout.of(t).fields().stream().map(Field::no)
                            .filter(n -> n <= 63 && rnd.nextInt(2) == 0).collect(Collectors.toList()));
                }
            }
            List<Integer> felt = rnd.nextInt(2) == 0 ? null
                    : List.of(13, 14, 15, 16, 63, 68, 209, 2000).stream().filter(x -> rnd.nextInt(2) == 0)
                            .collect(Collectors.toList());
            StringBuilder json = new StringBuilder("{\"name\": \"r\", \"records\": {");
            json.append(table.entrySet().stream().map(e -> "\"" + e.getKey() + "\": " + e.getValue())
                    .collect(Collectors.joining(", ")));
            json.append("}");
            if (felt != null) {
                json.append(", \"feltnumre\": ").append(felt);
            }
            json.append("}");
            Path f = file("random-profile.json", json.toString());
            FilterOptions fo = FilterOptions.builder().profile(Profile.custom("r", table, felt)).build();
            try {
                check(fo, List.of("--profile", f.toString()), run(fo).lbNrs(), null);
            } catch (AssertionError e) {
                throw new AssertionError("round " + round + ", profile " + json + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void pseudonyms() throws Exception {
        Path key = file("key", new String(KEY, StandardCharsets.US_ASCII) + "\n");
        Filtered got = check(FilterOptions.builder().pseudonymKey(KEY).recordTypes(2101, 6000).build(),
                List.of("--pseudonymise-key-file", key.toString(), "--records", "2101,6000"),
                new int[] {1, 2, 3, 8, 9, 21, 25}, null);
        Record p2101 = got.records().get(2);
        Record p1 = got.records().get(4);
        Record p2 = got.records().get(5);
        Record company = got.records().get(6);
        assertEquals("a40738c6a7bc7d28", p1.pseudonym().orElseThrow(), "pseudonym of the first person");
        assertEquals(p1.pseudonym(), p2101.pseudonym(), "same person, same pseudonym (2101 and 6000)");
        assertEquals(p1.pseudonym().orElseThrow(), p1.value(4), "value() gives the pseudonym in the CPR's place");
        assertTrue(p1.cpr().isEmpty(), "the CPR is gone");
        assertEquals(Pseudonym.of(KEY, "6101901234"), p1.pseudonym().orElseThrow(), "eik_pseudonymise agrees");
        assertEquals(Pseudonym.of(KEY, "7204881234"), p2.pseudonym().orElseThrow(), "second person");
        assertNotEquals(p1.pseudonym(), p2.pseudonym());
        assertTrue(company.pseudonym().isEmpty(), "a company has no CPR, no pseudonym");
        assertEquals("87654321", company.value(5));
        for (Record r : got.records()) {
            String line = new String(r.bytes(), StandardCharsets.ISO_8859_1);
            assertFalse(line.contains("6101901234") || line.contains("7204881234"), "no CPR in " + r);
        }
        // A profile that forbids the CPR field shows no pseudonym either (as the CLI).
        Path noCpr = file("nocpr.json", "{\"name\": \"nocpr\", \"records\": {\"6000\": [5], \"6001\": [3, 4, 5]}}");
        Filtered hidden = check(FilterOptions.builder().pseudonymKey(KEY)
                        .profile(Profile.custom(Map.of(6000, List.of(5), 6001, List.of(3, 4, 5)), null)).build(),
                List.of("--pseudonymise-key-file", key.toString(), "--profile", noCpr.toString()),
                new int[] {1, 2, 8, 9, 10, 11, 12, 13, 21, 23, 24, 25, 26}, null);
        assertTrue(hidden.records().get(3).pseudonym().isEmpty(), "CPR field forbidden: no pseudonym");
        assertEquals("", hidden.records().get(3).value(4), "CPR field forbidden: blank");
        assertEquals("a40738c6a7bc7d28",
                run(FilterOptions.builder().pseudonymKey(KEY).build()).records().get(8).pseudonym().orElseThrow(),
                "stable");
        String other = Pseudonym.of(OTHER_KEY, "6101901234");
        assertEquals(16, other.length());
        assertNotEquals("a40738c6a7bc7d28", other, "another key, another pseudonym");
        assertEquals(other, run(FilterOptions.builder().pseudonymKey(OTHER_KEY).build()).records().get(8).pseudonym()
                .orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> Pseudonym.of("short".getBytes(), "6101901234"));
        assertThrows(IllegalArgumentException.class, () -> FilterOptions.builder().pseudonymKey(new byte[15]));
    }

    @Test
    void dimensionsCombinedAndSmallReads() throws Exception {
        Path cprs = file("cprs.txt", "6101901234\n7204881234\n");
        Path key = file("key", new String(KEY, StandardCharsets.US_ASCII) + "\n");
        FilterOptions fo = FilterOptions.builder()
                .cprs("6101901234", "7204881234")
                .seNrs(12345678)
                .recordTypes(6000, 6001)
                .feltnumre(13, 16)
                .period(new Period(LocalDate.of(2025, 1, 1), LocalDate.of(2025, 3, 31)))
                .profile(Profile.MINIMAL)
                .pseudonymKey(KEY)
                .build();
        Filtered got = check(fo, List.of("--cpr-file", cprs.toString(), "--se", "12345678", "--records", "6000,6001",
                "--fields", "13,16", "--period", "2025-01-01..2025-03-31", "--profile", "minimal",
                "--pseudonymise-key-file", key.toString()), new int[] {1, 2, 8, 9, 10, 12, 13, 21, 23}, null);
        // One to seven bytes per read: held headers cross many native calls.
        byte[] sample = Files.readAllBytes(TestFiles.sample());
        InputStream trickle = new ByteArrayInputStream(sample) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + pos % 7));
            }
        };
        Filtered trickled = run(fo, trickle);
        assertEquals(got.records().stream().map(TestFiles::rawJson).collect(Collectors.toList()),
                trickled.records().stream().map(TestFiles::rawJson).collect(Collectors.toList()));
        assertEquals(got.counts(), trickled.counts());
        try (EindkomstDecoder plain = new EindkomstDecoder(Files.newInputStream(TestFiles.sample()))) {
            assertTrue(plain.filterCounts().isEmpty(), "no filter, no filter counts");
        }
    }

    @Test
    void badOptionsNameNoCpr() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FilterOptions.builder().cprs("6101901234", "61019O1234"));
        assertFalse(e.getMessage().contains("6101901234") || e.getMessage().contains("61019O1234"));
        assertThrows(IllegalArgumentException.class, () -> FilterOptions.builder().recordTypes(70000));
        assertThrows(IllegalArgumentException.class,
                () -> new Period(LocalDate.of(2025, 2, 1), LocalDate.of(2025, 1, 31)));
        assertThrows(IllegalArgumentException.class, () -> Profile.custom(Map.of(6001, List.of(64)), null));
    }

    @Test
    void countsAfterClose() throws Exception {
        EindkomstDecoder d = EindkomstDecoder.builder(Files.newInputStream(TestFiles.sample()))
                .filter(FilterOptions.builder().recordTypes(6001).build()).build();
        int n = 0;
        for (Record r : d) {
            n++;
        }
        assertEquals(13, n);
        d.close();
        assertEquals(13, d.filterCounts().orElseThrow().passed(), "kept from closing");
        d.close();
        assertEquals(27, d.filterCounts().orElseThrow().seen(), "seen, after closing twice");
    }
}
