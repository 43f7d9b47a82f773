package dk.eindkomst.transport.sftp;

import dk.eindkomst.EindkomstDecoder;
import dk.eindkomst.Options;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The poller as its own process, for the crash tests: {@code PollerProcess <host> <port> <user> <key>
 * <known_hosts> <work-dir> <store-dir> <max-polls> [kill-at]}. Polls (with a {@link FileStore} handler)
 * until a poll leaves no file INTERRUPTED or IN_FLIGHT, or max-polls are done. Loads the engine, prints
 * {@code ready} and waits for a line on stdin (time for the test to limit this process), prints {@code
 * start}, polls: one {@code outcome <name> <state> <detail>} line per file and poll; a poll that throws
 * prints {@code error <message>} and exits with 2.
 */
public final class PollerProcess {
    private PollerProcess() {}

    public static void main(String[] a) throws Exception {
        Path work = Path.of(a[5]);
        SftpConfig config = new SftpConfig(a[0], Integer.parseInt(a[1]), a[2], Path.of(a[3]), Path.of(a[4]), "IN",
                                           work.resolve("parts"), work.resolve("ledger.tsv"), null, false);
        DailyFilePoller poller = new DailyFilePoller(config, new FileStore(Path.of(a[6]), a.length > 8 ? a[8] : null));
        try (var warm = new EindkomstDecoder(new ByteArrayInputStream(new byte[0]), Options.lenient())) {
            warm.iterator().hasNext();
        }
        System.out.println("ready");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        System.out.println("start");
        System.out.flush();
        for (int i = 0; i < Integer.parseInt(a[7]); i++) {
            List<Outcome> outcomes;
            try {
                outcomes = poller.pollOnce();
            } catch (Exception e) {
                System.out.println("error " + e.getMessage());
                System.out.flush();
                System.exit(2);
                return;
            }
            boolean again = false;
            for (Outcome o : outcomes) {
                System.out.println("outcome " + o.file().name() + " " + o.state() + " " + o.resumedFrom() + " " + o.detail());
                again |= o.state() == Outcome.State.INTERRUPTED || o.state() == Outcome.State.IN_FLIGHT;
            }
            if (!again) break;
        }
    }
}
