package dk.eindkomst.transport.beskedfordeler;

import dk.eindkomst.transport.Redact;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Dead letters as files in a directory, for the real Beskedfordeler (where the receiver may not publish) and
 * the REST channel: {@code <name>.xml} = the body as received, {@code <name>.error} = key, message id,
 * BeskedId, code and text, one per line. {@code name} is the first 32 hex digits of SHA-256 of the ledger
 * key, so storing the same message again replaces the same two files (idempotent). Each file is written to a
 * temp file, forced, and renamed; then the directory is forced.
 */
public final class DirectoryDeadLetterSink implements DeadLetterSink {
    private final Path dir;

    public DirectoryDeadLetterSink(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    /** The file name (without extension) of the letter with ledger key {@code key}. */
    public static String name(String key) {
        return BeskedReceiver.sha256(key.getBytes(StandardCharsets.UTF_8)).substring(0, 32);
    }

    @Override
    public void store(DeadLetter l) throws IOException {
        String name = name(l.key());
        // The ids are the peer's: masked like the reason (the key is hashed when an id is CPR-like).
        String error = String.join("\n", l.key(), Redact.cpr(String.valueOf(l.messageId())), Redact.cpr(String.valueOf(l.beskedId())),
                                   l.errorCode(), l.errorText()) + "\n";
        write(name + ".error", error.getBytes(StandardCharsets.UTF_8));
        write(name + ".xml", l.body());
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    private void write(String file, byte[] bytes) throws IOException {
        Path tmp = dir.resolve(file + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(file), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
