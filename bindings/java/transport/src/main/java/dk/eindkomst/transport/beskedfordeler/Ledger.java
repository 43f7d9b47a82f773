package dk.eindkomst.transport.beskedfordeler;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The durable ledger of received Beskedfordeler messages, shared by the AMQP consumer and the REST receiver: an
 * append-only UTF-8 text file, one line per step, {@code millis TAB state TAB attempt TAB key [TAB code]}:
 * <ul>
 * <li>{@code BEGIN n}: attempt n is being handed to the handler (written, not forced: it survives a killed
 *     process, not necessarily a power loss);</li>
 * <li>{@code FAILED n code}: the handler threw (code = exception class);</li>
 * <li>{@code HANDLED n}: the handler returned, <b>forced to disk (fdatasync) before the acknowledgement</b>;</li>
 * <li>{@code DEAD n code}: stored in the dead-letter sink, forced to disk before the acknowledgement;</li>
 * <li>{@code FORGET}: an operator released the key (a replay is handled again).</li>
 * </ul>
 * The last line of a key wins. Keys are {@code b:<BeskedId>}, else {@code m:<message id>} or
 * {@code s:<sha256 of the body>}; {@code %}, TAB, CR, LF and other control characters are written as
 * {@code %XX}. Entries whose last line is older than the retention (default 30 days, the longest time
 * Beskedfordeler keeps a message) are dropped when the file is compacted: at open, and when it holds more
 * than twice as many lines as live keys. Compaction writes a new file, forces it and renames it over the old
 * one. A torn last line (the process was killed inside a write) is cut off at open. One writer at a time:
 * the file is opened by one {@code Ledger} per process; its methods are synchronized.
 */
public final class Ledger implements AutoCloseable {
    /** Beskedfordeler keeps messages at most 30 days (out-queue and copy-queue purge). */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

    /** What the ledger knows about one key. */
    public record Entry(String state, int attempt, long millis) {
        /** HANDLED or DEAD: never hand this message over again. */
        public boolean settled() {
            return "HANDLED".equals(state) || "DEAD".equals(state);
        }

        /** The last attempt began and never ended (the process stopped inside the handler or before its outcome was written). */
        public boolean interrupted() {
            return "BEGIN".equals(state);
        }
    }

    private final Path path;
    private final Duration retention;
    private final Clock clock;
    private final Map<String, Entry> entries = new HashMap<>();
    private FileChannel out;
    private long lines;
    private long lastExpiry;

    private Ledger(Path path, Duration retention, Clock clock) {
        this.path = path;
        this.retention = retention;
        this.clock = clock;
    }

    /** Opens (or creates) the ledger at {@code path} with the 30-day retention. */
    public static Ledger open(Path path) throws IOException {
        return open(path, DEFAULT_RETENTION, Clock.systemUTC());
    }

    /** Opens (or creates) the ledger at {@code path}; entries older than {@code retention} (by {@code clock}) are dropped. */
    public static Ledger open(Path path, Duration retention, Clock clock) throws IOException {
        Ledger l = new Ledger(path.toAbsolutePath(), retention, clock);
        l.load();
        return l;
    }

    private void load() throws IOException {
        Path dir = path.getParent();
        Files.createDirectories(dir);
        boolean existed = Files.exists(path);
        if (existed) {
            byte[] all = Files.readAllBytes(path);
            int end = all.length;
            while (end > 0 && all[end - 1] != '\n') end--;
            String text = new String(all, 0, end, StandardCharsets.UTF_8);
            int lineNo = 0;
            for (String line : text.split("\n", -1)) {
                lineNo++;
                if (line.isEmpty()) continue;
                String[] f = line.split("\t", -1);
                if (f.length < 4) throw new IOException("ledger " + path + " line " + lineNo + " is malformed");
                try {
                    put(unescape(f[3]), new Entry(f[1], Integer.parseInt(f[2]), Long.parseLong(f[0])));
                } catch (NumberFormatException e) {
                    throw new IOException("ledger " + path + " line " + lineNo + " is malformed");
                }
                lines++;
            }
            if (end < all.length) {
                // A torn last line: the process was killed inside the write; that step did not happen.
                try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                    ch.truncate(end);
                    ch.force(true);
                }
            }
        }
        out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        if (!existed) {
            out.force(true);
            forceDirectory(dir);
        }
        expire();
        if (lines > entries.size()) compact();
    }

    private void put(String key, Entry e) {
        if ("FORGET".equals(e.state)) entries.remove(key);
        else entries.put(key, e);
    }

    /** What is known about {@code key}, or null. */
    public synchronized Entry get(String key) {
        return entries.get(key);
    }

    /** Number of live keys. */
    public synchronized int size() {
        return entries.size();
    }

    synchronized void begin(String key, int attempt) throws IOException {
        append("BEGIN", attempt, key, null, false);
    }

    synchronized void failed(String key, int attempt, String cause) throws IOException {
        append("FAILED", attempt, key, cause, false);
    }

    synchronized void handled(String key, int attempt) throws IOException {
        append("HANDLED", attempt, key, null, true);
    }

    synchronized void dead(String key, int attempt, String code) throws IOException {
        append("DEAD", attempt, key, code, true);
    }

    /**
     * Releases {@code key} (e.g. {@code "b:" + beskedId}) so that the message is handled again when it comes
     * again, e.g. after an operator moved it back from Beskedfordeler's copy-queue. Returns whether it was known.
     */
    public synchronized boolean forget(String key) throws IOException {
        boolean known = entries.containsKey(key);
        append("FORGET", 0, key, null, true);
        return known;
    }

    private void append(String state, int attempt, String key, String code, boolean force) throws IOException {
        if (out == null) throw new IOException("ledger is closed");
        long now = clock.millis();
        StringBuilder line = new StringBuilder(64).append(now).append('\t').append(state).append('\t').append(attempt)
                .append('\t').append(escape(key));
        if (code != null) line.append('\t').append(escape(code));
        line.append('\n');
        ByteBuffer b = ByteBuffer.wrap(line.toString().getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) out.write(b);
        if (force) out.force(false);
        put(key, new Entry(state, attempt, now));
        lines++;
        if (now - lastExpiry > Duration.ofHours(1).toMillis()) expire();
        if (lines > 2L * entries.size() + 10_000) compact();
    }

    private void expire() {
        long now = clock.millis();
        lastExpiry = now;
        long cutoff = now - retention.toMillis();
        entries.values().removeIf(e -> e.millis < cutoff);
    }

    /** Rewrites the file with one line per live key (temp file, forced, renamed over the old one). */
    private void compact() throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".compact");
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry v = e.getValue();
            sb.append(v.millis).append('\t').append(v.state).append('\t').append(v.attempt).append('\t').append(escape(e.getKey())).append('\n');
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        out.close();
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(path.getParent());
        out = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        lines = entries.size();
    }

    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    static String escape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '%' || c == 0x7F) {
                if (b == null) b = new StringBuilder(s.substring(0, i));
                b.append(String.format("%%%02X", (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    static String unescape(String s) {
        if (s.indexOf('%') < 0) return s;
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    @Override
    public synchronized void close() throws IOException {
        if (out != null) {
            out.force(false);
            out.close();
            out = null;
        }
    }
}
