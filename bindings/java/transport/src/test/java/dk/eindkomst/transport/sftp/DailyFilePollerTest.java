package dk.eindkomst.transport.sftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dk.eindkomst.Counts;
import dk.eindkomst.Record;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real OpenSSH sshd on loopback. */
class DailyFilePollerTest {
    static SshServer sshd;
    static byte[] sample;
    static Path root;

    @TempDir
    Path work;

    @BeforeAll
    static void start() throws Exception {
        root = Path.of(System.getProperty("eindkomst.root"));
        sample = Files.readAllBytes(root.resolve("testdata/sample.txt"));
        sshd = new SshServer();
    }

    /** Every test starts with an empty delivery directory. */
    @BeforeEach
    void emptyIn() throws Exception {
        try (var files = Files.list(sshd.root.resolve("IN"))) {
            for (Path p : files.toList()) Files.delete(p);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (sshd != null) sshd.close();
    }

    /** Records what the poller asked of it; keeps only counts and record types, never whole files. */
    static class Journal implements DailyFileHandler {
        final List<String> calls = new ArrayList<>();
        final List<String> committedKeys = new ArrayList<>();
        final List<Integer> types = new ArrayList<>();
        long records;
        long committedRecords;
        Runnable onRecord = () -> { };
        boolean keepTypes = true;

        @Override public void begin(DailyFile f) { calls.add("begin " + f.name()); records = 0; types.clear(); }
        @Override public void record(Record r) {
            records++;
            if (keepTypes) types.add(r.recordType());
            onRecord.run();
        }
        @Override public void commit(DailyFile f, Counts c) {
            calls.add("commit " + f.name() + " " + c.decoded());
            committedRecords += records;
            committedKeys.add(f.key());
        }
        @Override public boolean committed(DailyFile f) { return committedKeys.contains(f.key()); }
        @Override public void abort(DailyFile f, String reason) { calls.add("abort " + f.name() + ": " + reason); }
    }

    static Path in(String name) {
        return sshd.root.resolve("IN").resolve(name);
    }

    static String metadata(String uuid, String name, long size, String recipient) {
        return Deliveries.metadata(uuid, name, size, recipient);
    }

    static void deliver(String name, byte[] data, String uuid) throws Exception {
        Files.write(in(name), data);
        Files.writeString(in(name + ".metadata"), metadata(uuid, name, data.length, sshd.user));
    }

    static List<Integer> sampleTypes() {
        return Arrays.stream(new String(sample, StandardCharsets.ISO_8859_1).split("\n")).map(l -> Integer.parseInt(l.substring(7, 11))).toList();
    }

    static Path generate(String name, int records, int seed) throws Exception {
        return Deliveries.generate(root, in(name), records, seed);
    }

    @Test
    void aNormalDayIsDecodedCommittedRecordedAndRemoved() throws Exception {
        String uuid = Deliveries.uuid();
        deliver("D250203.L01", sample, uuid);
        Journal j = new Journal();
        DailyFilePoller poller = new DailyFilePoller(sshd.config(work, false), j);
        List<Outcome> out = poller.pollOnce();
        assertEquals(1, out.size());
        assertEquals(Outcome.State.DONE, out.get(0).state());
        assertEquals(new DailyFile("D250203.L01", sample.length, out.get(0).file().mtime(), uuid), out.get(0).file());
        assertEquals(List.of("begin D250203.L01", "commit D250203.L01 27"), j.calls);
        assertEquals(sampleTypes(), j.types);
        assertFalse(Files.exists(in("D250203.L01")));
        assertFalse(Files.exists(in("D250203.L01.metadata")));
        List<String> ledger = Files.readAllLines(work.resolve("ledger.tsv"));
        assertEquals(2, ledger.size());
        String sha = ledger.get(1).split("\t")[4];
        assertTrue(sha.matches("[0-9a-f]{64}"), sha);
        assertEquals(List.of("COMMITTING\t" + uuid + "\tD250203.L01\t" + sample.length + "\t" + sha,
                             "DONE\t" + uuid + "\tD250203.L01\t" + sample.length + "\t" + sha), ledger);
        assertEquals(List.of(), poller.pollOnce());
        assertEquals(0, Files.list(work.resolve("parts")).count());
    }

    @Test
    void aFileStillBeingWrittenWaits() throws Exception {
        String uuid = Deliveries.uuid();
        Files.write(in("D250204.L01"), Arrays.copyOf(sample, 1000));
        Journal j = new Journal();
        DailyFilePoller poller = new DailyFilePoller(sshd.config(work, false), j);
        // data without metadata: waits
        assertEquals(Outcome.State.IN_FLIGHT, poller.pollOnce().get(0).state());
        Files.writeString(in("D250204.L01.metadata"), metadata(uuid, "D250204.L01", sample.length, sshd.user));
        Outcome partial = poller.pollOnce().get(0);
        assertEquals(Outcome.State.IN_FLIGHT, partial.state());
        assertEquals("1000 of " + sample.length + " bytes", partial.detail());
        assertEquals(List.of(), j.calls);
        Files.write(in("D250204.L01"), Arrays.copyOfRange(sample, 1000, sample.length), StandardOpenOption.APPEND);
        assertEquals(Outcome.State.DONE, poller.pollOnce().get(0).state());
        assertEquals(List.of("begin D250204.L01", "commit D250204.L01 27"), j.calls);
    }

    @Test
    void withoutMetadataAStableSizeOverTwoPollsCounts() throws Exception {
        Files.write(in("D250205.L01"), sample);
        Journal j = new Journal();
        DailyFilePoller poller = new DailyFilePoller(sshd.config(work, true), j);
        assertEquals("size not yet stable", poller.pollOnce().get(0).detail());
        assertEquals(Outcome.State.DONE, poller.pollOnce().get(0).state());
        assertEquals(List.of("begin D250205.L01", "commit D250205.L01 27"), j.calls);
        assertFalse(Files.exists(in("D250205.L01")));
    }

    @Test
    void aDamagedFileIsReportedLeftAndNotDecodedAgain() throws Exception {
        byte[] damaged = new String(sample, StandardCharsets.ISO_8859_1).replace("0000032500000000+", "00000325X0000000+")
                .getBytes(StandardCharsets.ISO_8859_1);
        String uuid = Deliveries.uuid();
        deliver("D250206.L01", damaged, uuid);
        Files.writeString(in("D250206.L02.metadata"), metadata(Deliveries.uuid(), "D250206.L02", sample.length, "another-system"));
        Files.write(in("D250206.L02"), sample);
        Journal j = new Journal();
        DailyFilePoller poller = new DailyFilePoller(sshd.config(work, false), j);
        List<Outcome> out = poller.pollOnce();
        assertEquals(Outcome.State.DAMAGED, out.get(0).state());
        String why = "rejected: line 10 (Lb_nr 10), record 6001, field 4 Beloeb, offset 734: non-digit in numeric field";
        assertEquals(why, out.get(0).detail());
        assertEquals(Outcome.State.NOT_FOR_US, out.get(1).state());
        assertEquals(List.of("begin D250206.L01", "abort D250206.L01: " + why), j.calls);
        assertTrue(Files.exists(in("D250206.L01")));
        assertTrue(Files.exists(in("D250206.L02")));
        assertTrue(Files.readAllLines(work.resolve("ledger.tsv")).get(0).startsWith("DAMAGED\t" + uuid));
        // next poll: reported again, not decoded again
        assertEquals(Outcome.State.DAMAGED, poller.pollOnce().get(0).state());
        assertEquals(2, j.calls.size());
    }

    @Test
    void aRestartAfterAnInterruptedTransferResumesAndCommitsOnce() throws Exception {
        Path file = generate("D250207.L01", 600_000, 11);
        long size = Files.size(file);
        String uuid = Deliveries.uuid();
        Files.writeString(in("D250207.L01.metadata"), metadata(uuid, "D250207.L01", size, sshd.user));
        Journal j = new Journal();
        j.keepTypes = false;
        j.onRecord = () -> { if (j.records == 200_000) sshd.killSessions(); };
        Outcome first = new DailyFilePoller(sshd.config(work, false), j).pollOnce().get(0);
        assertEquals(Outcome.State.INTERRUPTED, first.state(), first.detail());
        Path part = work.resolve("parts").resolve(uuid + ".part");
        long kept = Files.size(part);
        assertTrue(kept > 0 && kept < size, "kept " + kept + " of " + size);
        assertTrue(Files.exists(file));

        // a new poller, as after a process restart
        Journal j2 = new Journal();
        j2.keepTypes = false;
        Outcome second = new DailyFilePoller(sshd.config(work, false), j2).pollOnce().get(0);
        assertEquals(Outcome.State.DONE, second.state(), second.detail());
        assertEquals(kept, second.resumedFrom());
        assertEquals(List.of("begin D250207.L01", "commit D250207.L01 600000"), j2.calls);
        assertEquals(600_000, j2.committedRecords);
        assertEquals(0, j.committedRecords);
        assertTrue(j.calls.get(1).startsWith("abort D250207.L01: "), j.calls.toString());
        assertFalse(Files.exists(part));
        assertFalse(Files.exists(file));
    }

    @Test
    void a200MegabyteFileStreamsWithBoundedHeap() throws Exception {
        long maxHeap = Runtime.getRuntime().maxMemory();
        assertTrue(maxHeap <= 80L << 20, "the test JVM must run with a small heap (-Xmx64m), has " + (maxHeap >> 20) + " MB");
        Path file = generate("D250208.L01", 4_400_000, 5);
        long size = Files.size(file);
        assertTrue(size > 200_000_000L, "size " + size);
        Files.writeString(in("D250208.L01.metadata"), metadata(Deliveries.uuid(), "D250208.L01", size, sshd.user));
        Journal j = new Journal();
        j.keepTypes = false;
        long t0 = System.nanoTime();
        Outcome out = new DailyFilePoller(sshd.config(work, false), j).pollOnce().get(0);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(Outcome.State.DONE, out.state(), out.detail());
        assertEquals(4_400_000, j.committedRecords);
        assertEquals(List.of("begin D250208.L01", "commit D250208.L01 4400000"), j.calls);
        System.out.printf("sftp: %d MB file, 4400000 records, SFTP + decode in %.1f s (%.0f MB/s), max heap %d MB%n",
                          size >> 20, seconds, size / 1e6 / seconds, maxHeap >> 20);
    }

    @Test
    void aCommitThatFailsAfterTakingEffectIsNotRepeatedEvenWithoutTheLedger() throws Exception {
        String uuid = Deliveries.uuid();
        deliver("D250210.L01", sample, uuid);
        Journal j = new Journal() {
            @Override public void commit(DailyFile f, Counts c) {
                super.commit(f, c);
                throw new IllegalStateException("connection lost after COMMIT");
            }
        };
        Outcome first = new DailyFilePoller(sshd.config(work, false), j).pollOnce().get(0);
        assertEquals(Outcome.State.INTERRUPTED, first.state());
        assertEquals("commit failed", first.detail());
        assertTrue(Files.exists(in("D250210.L01")), "no clean-up without DONE");
        assertEquals(List.of("COMMITTING"), Files.readAllLines(work.resolve("ledger.tsv")).stream().map(l -> l.split("\t")[0]).toList());
        // Even with the ledger lost, a restarted poller asks the handler first: done, not decoded again.
        Files.delete(work.resolve("ledger.tsv"));
        Outcome second = new DailyFilePoller(sshd.config(work, false), j).pollOnce().get(0);
        assertEquals(Outcome.State.ALREADY_DONE, second.state());
        assertEquals(List.of("begin D250210.L01", "commit D250210.L01 27", "abort D250210.L01: commit failed: IllegalStateException"), j.calls);
        assertEquals(List.of("DONE"), Files.readAllLines(work.resolve("ledger.tsv")).stream().map(l -> l.split("\t")[0]).toList());
        assertFalse(Files.exists(in("D250210.L01")));
        assertFalse(Files.exists(in("D250210.L01.metadata")));
    }

    @Test
    void aTornLedgerLineIsDroppedAndAMetadataLeftByACrashIsRemoved() throws Exception {
        String uuid = Deliveries.uuid();
        String done = "DONE\t" + uuid + "\tD250211.L01\t" + sample.length + "\t-\n";
        Files.writeString(work.resolve("ledger.tsv"), done + "COMMITTING\t" + UUID.randomUUID() + "\tD250");
        // The process died between removing the data file and its metadata.
        Files.writeString(in("D250211.L01.metadata"), metadata(uuid, "D250211.L01", sample.length, sshd.user));
        Journal j = new Journal();
        assertEquals(List.of(), new DailyFilePoller(sshd.config(work, false), j).pollOnce());
        assertFalse(Files.exists(in("D250211.L01.metadata")));
        assertEquals(done, Files.readString(work.resolve("ledger.tsv")));
        assertEquals(List.of(), j.calls);
    }

    @Test
    void theExampleRuns() throws Exception {
        deliver("D250209.L01", sample, Deliveries.uuid());
        var out = new java.io.ByteArrayOutputStream();
        var saved = System.out;
        System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            dk.eindkomst.transport.example.PollExample.main(new String[] {"127.0.0.1", Integer.toString(sshd.port), sshd.user,
                sshd.userKey.toString(), sshd.knownHosts.toString(), work.toString()});
        } finally {
            System.setOut(saved);
        }
        assertEquals("D250209.L01: 27 records, 6001 total 6906950 øre\nD250209.L01 DONE\n", out.toString(StandardCharsets.UTF_8));
    }

    /**
     * No CPR in what the poller writes or says after faults: a damaged file named with a CPR, metadata whose
     * FileTransferUUID is a CPR, unreadable metadata full of CPRs, a good file named with a CPR without
     * metadata. The ledger, the work directory's file names and contents and every outcome's detail hold none
     * of the planted CPRs (with or without the hyphen; the ledger's mtimes are 10-digit numbers themselves).
     */
    @Test
    void faultsLeaveNoCprInTheLedgerTheWorkDirectoryOrTheOutcomes() throws Exception {
        List<String> cprs = List.of("0101604321", "010160-4321", "3112609999", "311260-9999");
        byte[] damaged = new String(sample, StandardCharsets.ISO_8859_1).replace("0000032500000000+", "00000325X0000000+")
                .getBytes(StandardCharsets.ISO_8859_1);
        deliver("D0101604321.L01", damaged, "urn:uuid:010160-4321");
        Files.write(in("D250208.L01"), sample);
        Files.writeString(in("D250208.L01.metadata"), "<FileMetadata><SizeInBytes>0101604321x</SizeInBytes><0101604321/>");
        Files.write(in("311260-9999.txt"), sample);
        Journal j = new Journal();
        DailyFilePoller poller = new DailyFilePoller(sshd.config(work, true), j); // without metadata: a stable size
        List<Outcome> out = new ArrayList<>(poller.pollOnce());
        out.addAll(poller.pollOnce());
        List<String> states = out.stream().map(o -> o.file().name() + " " + o.state()).sorted().toList();
        assertEquals(List.of("311260-9999.txt DONE", "311260-9999.txt IN_FLIGHT", "D0101604321.L01 DAMAGED", "D0101604321.L01 DAMAGED",
                             "D250208.L01 IN_FLIGHT", "D250208.L01 IN_FLIGHT"), states);
        StringBuilder said = new StringBuilder();
        for (Outcome o : out) said.append(o.detail()).append('\n');
        try (var files = Files.walk(work)) {
            for (Path f : files.toList()) {
                said.append(f.getFileName()).append('\n');
                if (Files.isRegularFile(f)) said.append(Files.readString(f, StandardCharsets.ISO_8859_1));
            }
        }
        for (String cpr : cprs) assertFalse(said.toString().contains(cpr), cpr + " in:\n" + said);
        assertTrue(Files.readString(work.resolve("ledger.tsv")).contains("DAMAGED\tsha256:"), said.toString());
    }
}
