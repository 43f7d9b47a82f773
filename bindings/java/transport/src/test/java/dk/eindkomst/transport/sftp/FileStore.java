package dk.eindkomst.transport.sftp;

import dk.eindkomst.Counts;
import dk.eindkomst.Record;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A handler that keeps its promises the way a real one would (see {@link DailyFileHandler}), with files:
 * the records of a file go, one line each (the record's bytes), to {@code <key>.tmp}; commit forces it to
 * disk and renames it to {@code <key>.committed} (atomic: the records and the key at once), so a process
 * that dies before leaves no committed trace. A second commit of a key that is already committed is the
 * bug the crash tests look for: it is kept as evidence ({@code <key>.committed-again}), not thrown.
 *
 * <p>Prints {@code begin} when a file begins (the crash tests time their kills from it). {@code killAt} makes the process SIGKILL itself at one point: {@code begin}, {@code record:N} (before
 * the N-th record is stored), {@code commit} (after the rename, before commit returns).
 */
final class FileStore implements DailyFileHandler {
    private final Path dir;
    private final String killAt;
    private OutputStream out;
    private long records;

    FileStore(Path dir, String killAt) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.killAt = killAt == null ? "" : killAt;
    }

    Path committedFile(DailyFile f) {
        return dir.resolve(f.safeKey() + ".committed");
    }

    @Override
    public void begin(DailyFile f) throws IOException {
        if (killAt.equals("begin")) sigkillSelf();
        System.out.println("begin");
        System.out.flush();
        out = new BufferedOutputStream(Files.newOutputStream(dir.resolve(f.safeKey() + ".tmp")), 1 << 16);
        records = 0;
    }

    @Override
    public void record(Record r) throws IOException {
        records++;
        if (killAt.equals("record:" + records)) sigkillSelf();
        out.write(r.bytes());
        out.write('\n');
    }

    @Override
    public void commit(DailyFile f, Counts c) throws IOException {
        out.close();
        Path tmp = dir.resolve(f.safeKey() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Path target = Files.exists(committedFile(f)) ? dir.resolve(f.safeKey() + ".committed-again") : committedFile(f);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        if (killAt.equals("commit")) sigkillSelf();
    }

    @Override
    public void abort(DailyFile f, String reason) {
        try {
            if (out != null) out.close();
            Files.deleteIfExists(dir.resolve(f.safeKey() + ".tmp"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public boolean committed(DailyFile f) {
        return Files.exists(committedFile(f));
    }

    /** A real SIGKILL, not an exception: nothing after this line runs, no finally, no shutdown hook. */
    static void sigkillSelf() {
        try {
            new ProcessBuilder("kill", "-KILL", Long.toString(ProcessHandle.current().pid())).start().waitFor();
            Thread.sleep(60_000);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("still alive after SIGKILL");
    }
}
