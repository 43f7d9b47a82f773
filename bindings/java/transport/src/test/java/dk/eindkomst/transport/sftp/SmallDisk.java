package dk.eindkomst.transport.sftp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * A local disk that can be made full, for the poller's work directory: a size-limited tmpfs mounted here
 * (needs root), else a file size limit (RLIMIT_FSIZE, {@code prlimit}) put on the poller process once it
 * has started (writes past it fail with "File too large" instead of "No space left on device"), else none:
 * {@link #open} returns null and the caller skips with {@link #WHY_NONE}.
 */
final class SmallDisk implements AutoCloseable {
    enum Kind { TMPFS, FILE_SIZE_LIMIT }

    static final String WHY_NONE = "no way to make a disk full here: mounting a tmpfs needs root, and prlimit is missing";
    static final long PAGE = 4096;

    final Path dir;
    final Kind kind;
    /** FILE_SIZE_LIMIT: the limit for the next poller process, or -1. */
    private long limit = -1;

    private SmallDisk(Path dir, Kind kind) {
        this.dir = dir;
        this.kind = kind;
    }

    static SmallDisk open(Path dir) throws IOException {
        Files.createDirectories(dir);
        // EIK_SMALL_DISK=file-size-limit tries the fallback where mounting would work.
        if (!"file-size-limit".equals(System.getenv("EIK_SMALL_DISK"))
            && run("mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", dir.toString()) == 0) {
            return new SmallDisk(dir, Kind.TMPFS);
        }
        if (run("prlimit", "--version") == 0) return new SmallDisk(dir, Kind.FILE_SIZE_LIMIT);
        return null;
    }

    /** The filler lives on the tmpfs itself, so the disk is full for everything else. */
    private Path fillerPath() {
        return dir.resolve(".filler");
    }

    /** From now on only {@code bytes} (whole pages) can be written: per disk (tmpfs) or per file (limit). */
    void leaveFree(long bytes) throws IOException {
        if (kind == Kind.FILE_SIZE_LIMIT) {
            limit = bytes;
            return;
        }
        try (FileChannel ch = FileChannel.open(fillerPath(), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer page = ByteBuffer.allocate((int) PAGE);
            try {
                while (true) {
                    page.clear();
                    ch.write(page, ch.size());
                }
            } catch (IOException full) {
                ch.truncate(Math.max(0, ch.size() / PAGE * PAGE - bytes));
            }
        }
    }

    /** Space returns. */
    void freeAll() throws IOException {
        limit = -1;
        Files.deleteIfExists(fillerPath());
    }

    /** FILE_SIZE_LIMIT: puts the limit on a started process (a no-op on tmpfs or without a limit). */
    void limit(Process p) throws IOException {
        if (limit < 0) return;
        String n = Long.toString(limit);
        if (run("prlimit", "--pid", Long.toString(p.pid()), "--fsize=" + n + ":" + n) != 0) throw new IllegalStateException("prlimit failed");
    }

    /** What a write past the space says. */
    String full() {
        return kind == Kind.TMPFS ? "No space left on device" : "File too large";
    }

    @Override
    public void close() throws IOException {
        if (kind == Kind.TMPFS) run("umount", dir.toString());
    }

    private static int run(String... cmd) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException notInstalled) {
            return -1;
        }
        try {
            if (p.waitFor(30, TimeUnit.SECONDS)) return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p.destroyForcibly();
        return -1;
    }
}
