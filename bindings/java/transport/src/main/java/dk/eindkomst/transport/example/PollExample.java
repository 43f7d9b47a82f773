package dk.eindkomst.transport.example;

import dk.eindkomst.Counts;
import dk.eindkomst.Record;
import dk.eindkomst.transport.sftp.DailyFile;
import dk.eindkomst.transport.sftp.DailyFileHandler;
import dk.eindkomst.transport.sftp.DailyFilePoller;
import dk.eindkomst.transport.sftp.Outcome;
import dk.eindkomst.transport.sftp.SftpConfig;
import java.nio.file.Path;

/**
 * One poll of the delivery directory: {@code PollExample <host> <port> <user> <private-key> <known_hosts> <work-dir>}.
 * Prints the records per type of each file and what happened to it.
 */
public final class PollExample {
    private PollExample() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[5]);
        var config = new SftpConfig(args[0], Integer.parseInt(args[1]), args[2], Path.of(args[3]), Path.of(args[4]), "IN",
                                    work.resolve("parts"), work.resolve("ledger.tsv"), null, false);
        var handler = new DailyFileHandler() {
            long sum;

            @Override public void begin(DailyFile f) { sum = 0; }
            @Override public void record(Record r) { if (r.recordType() == 6001) sum += r.amountOre().orElse(0); }
            @Override public void commit(DailyFile f, Counts c) { System.out.println(f.name() + ": " + c.decoded() + " records, 6001 total " + sum + " øre"); }
            @Override public void abort(DailyFile f, String reason) { System.out.println(f.name() + " not taken: " + reason); }
            // Keeps nothing, so nothing was committed before a crash. A real handler stores the records and
            // f.key() in one transaction and answers this from its store (see DailyFileHandler).
            @Override public boolean committed(DailyFile f) { return false; }
        };
        for (Outcome o : new DailyFilePoller(config, handler).pollOnce()) {
            System.out.println(o.file().name() + " " + o.state() + (o.detail() == null ? "" : " (" + o.detail() + ")"));
        }
    }
}
