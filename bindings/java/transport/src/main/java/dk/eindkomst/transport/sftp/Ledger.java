package dk.eindkomst.transport.sftp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The processed-files ledger: an append-only text file, one line per decision
 * ({@code state TAB key TAB name TAB size TAB sha256}), forced to disk before the poller acts on it.
 * The last line for a key wins.
 */
final class Ledger {
    private final Path path;
    private final Map<String, String> stateByKey = new HashMap<>();

    Ledger(Path path) throws IOException {
        this.path = path;
        if (Files.exists(path)) {
            for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
                String[] f = line.split("\t");
                if (f.length >= 2) stateByKey.put(f[1], f[0]);
            }
        }
    }

    /** "DONE", "DAMAGED" or null. */
    String state(String key) {
        return stateByKey.get(key);
    }

    void record(String state, DailyFile file, String sha256) throws IOException {
        String line = state + "\t" + file.key() + "\t" + file.name() + "\t" + file.size() + "\t" + sha256 + "\n";
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        stateByKey.put(file.key(), state);
    }
}
