package dk.eindkomst.transport.sftp;

import dk.eindkomst.transport.Redact;
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
 * ({@code state TAB key TAB name TAB size TAB sha256}; states COMMITTING, DONE, DAMAGED), forced to disk
 * before the poller acts on it. The last line for a key wins. A line is whole or absent: a write that fails
 * (a full disk) is cut off again, and a last line without its line end (the process died while writing it)
 * is dropped when the ledger is opened.
 */
final class Ledger {
    private final Path path;
    private final Map<String, String> stateByKey = new HashMap<>();

    Ledger(Path path) throws IOException {
        this.path = path;
        if (!Files.exists(path)) return;
        byte[] all = Files.readAllBytes(path);
        int end = all.length;
        while (end > 0 && all[end - 1] != '\n') end--;
        if (end < all.length) {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                ch.truncate(end);
                ch.force(true);
            }
        }
        for (String line : new String(all, 0, end, StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.split("\t");
            if (f.length >= 2) stateByKey.put(f[1], f[0]);
        }
    }

    /** "COMMITTING", "DONE", "DAMAGED" or null. */
    String state(String key) {
        return stateByKey.get(key);
    }

    void record(String state, DailyFile file, String sha256) throws IOException {
        // The name masked: it is for people reading the ledger (the key identifies the file).
        String line = state + "\t" + file.key() + "\t" + Redact.cpr(file.name()) + "\t" + file.size() + "\t" + sha256 + "\n";
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long before = ch.size();
            try {
                ch.position(before);
                ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            } catch (IOException e) {
                ch.truncate(before);
                throw new IOException(Redact.cpr("ledger " + path + ": cannot record " + state + " for " + file.name() + ": " + e.getMessage()), e);
            }
        }
        stateByKey.put(file.key(), state);
    }
}
