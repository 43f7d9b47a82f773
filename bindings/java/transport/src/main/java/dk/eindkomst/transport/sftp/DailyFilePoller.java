package dk.eindkomst.transport.sftp;

import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SftpException;
import dk.eindkomst.Counts;
import dk.eindkomst.EindkomstDecoder;
import dk.eindkomst.Finding;
import dk.eindkomst.FindingType;
import dk.eindkomst.Options;
import dk.eindkomst.transport.Redact;
import dk.eindkomst.Record;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Picks up the daily SF0770_E file from Serviceplatformen's SFTP server. Each {@link #pollOnce()}:
 * <ol>
 * <li>connects with key authentication (host key pinned by known_hosts) and lists the delivery directory;</li>
 * <li>waits for completion: {@code <name>.metadata} must exist, name this user among its recipients and give
 *     a {@code SizeInBytes} equal to the file's size (or, with {@link SftpConfig#stableSize()}, for files
 *     without metadata, size and mtime unchanged since the previous poll);</li>
 * <li>streams the file through the engine into the {@link DailyFileHandler} while appending the received
 *     bytes to a local {@code <key>.part} file, never holding the file in memory; a broken transfer keeps
 *     the part, and the next poll re-reads it locally and fetches only the rest from the server;</li>
 * <li>on a clean decode: ledger COMMITTING, handler commit, ledger DONE (each ledger line forced to disk),
 *     then the data file and its metadata are removed (or moved to {@link SftpConfig#doneDir()}); a file
 *     already DONE in the ledger is only removed; a damaged file (rejected lines, stream errors, wrong size)
 *     is aborted, reported and left on the server, and recorded as DAMAGED so the same delivery is not
 *     decoded again.</li>
 * </ol>
 * Crashes: the process may be killed anywhere; the next poll finds the state on disk and goes on from it,
 * and every file's records are committed exactly once (the handler's part of that promise: {@link
 * DailyFileHandler}). A full local disk: writing the part breaks the transfer off (INTERRUPTED, the part
 * kept, the handler aborted); a ledger line that cannot be written makes {@link #pollOnce()} throw before
 * anything depends on it (no commit without COMMITTING, no clean-up without DONE). Either way the file
 * stays on the server and the next poll after space is freed takes it from there.
 * Not thread-safe: poll from one thread.
 */
public final class DailyFilePoller {
    private final SftpConfig config;
    private final DailyFileHandler handler;
    private final Ledger ledger;
    private final Map<String, long[]> lastSeen = new HashMap<>();

    public DailyFilePoller(SftpConfig config, DailyFileHandler handler) throws IOException {
        this.config = config;
        this.handler = handler;
        Files.createDirectories(config.workDir());
        this.ledger = new Ledger(config.ledger());
    }

    /** One poll over the delivery directory; returns what happened to each data file, in name order. */
    public List<Outcome> pollOnce() throws JSchException, SftpException, IOException {
        JSch jsch = new JSch();
        jsch.addIdentity(config.privateKey().toString());
        jsch.setKnownHosts(config.knownHosts().toString());
        Session session = jsch.getSession(config.user(), config.host(), config.port());
        session.setConfig("StrictHostKeyChecking", "yes");
        session.setConfig("PreferredAuthentications", "publickey");
        session.connect(10_000);
        try {
            ChannelSftp sftp = (ChannelSftp) session.openChannel("sftp");
            sftp.connect(10_000);
            try {
                return poll(sftp);
            } finally {
                sftp.disconnect();
            }
        } finally {
            session.disconnect();
        }
    }

    private List<Outcome> poll(ChannelSftp sftp) throws SftpException, IOException {
        Map<String, ChannelSftp.LsEntry> entries = new TreeMap<>();
        for (Object o : sftp.ls(config.remoteDir())) {
            ChannelSftp.LsEntry e = (ChannelSftp.LsEntry) o;
            if (e.getAttrs().isReg()) entries.put(e.getFilename(), e);
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (ChannelSftp.LsEntry e : entries.values()) {
            String name = e.getFilename();
            if (name.endsWith(".metadata") && !entries.containsKey(name.substring(0, name.length() - 9))) {
                removeIfDone(sftp, name);
                continue;
            }
            if (name.startsWith(".") || name.endsWith(".metadata") || name.endsWith(".trigger") || name.endsWith(".sftpreceipt")) {
                continue;
            }
            outcomes.add(process(sftp, e, entries.containsKey(name + ".metadata")));
        }
        return outcomes;
    }

    private Outcome process(ChannelSftp sftp, ChannelSftp.LsEntry e, boolean hasMetadata) throws SftpException, IOException {
        String name = e.getFilename();
        long size = e.getAttrs().getSize();
        long mtime = e.getAttrs().getMTime();
        DailyFile file;
        if (hasMetadata) {
            FileMetadata m;
            try (InputStream in = sftp.get(remote(name + ".metadata"))) {
                m = FileMetadata.parse(in.readNBytes(1 << 20));
            } catch (IllegalArgumentException bad) {
                return new Outcome(new DailyFile(name, size, mtime, null), Outcome.State.IN_FLIGHT, 0, "metadata not readable yet: " + bad.getMessage());
            }
            file = new DailyFile(name, size, mtime, m.fileTransferUuid());
            if (!m.recipients().isEmpty() && !m.recipients().contains(config.user())) {
                return new Outcome(file, Outcome.State.NOT_FOR_US, 0, "metadata names other recipients");
            }
            if (done(sftp, file)) return new Outcome(file, Outcome.State.ALREADY_DONE, 0, null);
            if ("DAMAGED".equals(ledger.state(file.key()))) return new Outcome(file, Outcome.State.DAMAGED, 0, "damaged before (see ledger)");
            if (size < m.sizeInBytes()) return new Outcome(file, Outcome.State.IN_FLIGHT, 0, size + " of " + m.sizeInBytes() + " bytes");
            if (size > m.sizeInBytes()) {
                ledger.record("DAMAGED", file, "-");
                return new Outcome(file, Outcome.State.DAMAGED, 0, "size " + size + " exceeds SizeInBytes " + m.sizeInBytes());
            }
        } else {
            file = new DailyFile(name, size, mtime, null);
            if (done(sftp, file)) return new Outcome(file, Outcome.State.ALREADY_DONE, 0, null);
            if ("DAMAGED".equals(ledger.state(file.key()))) return new Outcome(file, Outcome.State.DAMAGED, 0, "damaged before (see ledger)");
            long[] before = lastSeen.put(name, new long[] {size, mtime});
            if (!config.stableSize()) return new Outcome(file, Outcome.State.IN_FLIGHT, 0, "waiting for " + name + ".metadata");
            if (before == null || before[0] != size || before[1] != mtime) {
                return new Outcome(file, Outcome.State.IN_FLIGHT, 0, "size not yet stable");
            }
        }
        return fetchAndDecode(sftp, file);
    }

    /**
     * True when the file is done: DONE in the ledger, or the handler has it committed (the process died
     * between the handler's commit and DONE, or the ledger was lost). Then it is (again) removed from the
     * server. The handler is asked before every decode, so its store, not the ledger, decides.
     */
    private boolean done(ChannelSftp sftp, DailyFile file) throws SftpException, IOException {
        String state = ledger.state(file.key());
        if (!"DONE".equals(state) && !"DAMAGED".equals(state)) {
            boolean committed;
            try {
                committed = handler.committed(file);
            } catch (Exception e) {
                throw new IOException("handler.committed failed", e);
            }
            if (!committed) return false;
            ledger.record("DONE", file, "-");
        } else if ("DAMAGED".equals(state)) {
            return false;
        }
        cleanUp(sftp, file);
        return true;
    }

    /** A metadata file whose data file is gone (removed just before a crash): removed too once its file is DONE. */
    private void removeIfDone(ChannelSftp sftp, String metadataName) throws SftpException {
        String uuid;
        try (InputStream in = sftp.get(remote(metadataName))) {
            uuid = FileMetadata.parse(in.readNBytes(1 << 20)).fileTransferUuid();
        } catch (IllegalArgumentException | IOException unreadable) {
            return;
        }
        if (uuid == null || !"DONE".equals(ledger.state(Redact.id(uuid)))) return;
        try {
            if (config.doneDir() != null) sftp.rename(remote(metadataName), config.doneDir() + "/" + metadataName);
            else sftp.rm(remote(metadataName));
        } catch (SftpException e) {
            if (e.id != ChannelSftp.SSH_FX_NO_SUCH_FILE) throw e;
        }
    }

    private Path part(DailyFile file) {
        return config.workDir().resolve(file.safeKey() + ".part");
    }

    private Outcome fetchAndDecode(ChannelSftp sftp, DailyFile file) throws SftpException, IOException {
        Path part = part(file);
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (have > file.size()) {
            Files.delete(part);
            have = 0;
        }
        MessageDigest sha = sha256();
        Counts counts;
        Finding bad = null;
        long total;
        try (FileChannel partChannel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            // The local part is read to its end before the first remote byte is appended to it.
            InputStream local = Files.newInputStream(part);
            InputStream remote = have < file.size() ? new Tee(sftp.get(remote(file.name()), null, have), Channels.newOutputStream(partChannel), part)
                                                    : InputStream.nullInputStream();
            CountingInput in = new CountingInput(new DigestInputStream(new SequenceInputStream(local, remote), sha));
            try {
                handler.begin(file);
            } catch (Exception e) {
                in.close();
                throw new IOException("handler.begin failed", e);
            }
            try (EindkomstDecoder decoder = new EindkomstDecoder(in, Options.lenient())) {
                for (Record r : decoder) handler.record(r);
                for (Finding f : decoder.findings()) {
                    if (f.type() != FindingType.WARNING) {
                        bad = f;
                        break;
                    }
                }
                counts = decoder.counts();
            } catch (Exception broken) {
                String why = broken instanceof UncheckedIOException u
                        ? (u.getCause() instanceof PartNotWritten ? "" : "transfer broke off: ") + u.getCause().getMessage()
                        : "handler failed: " + broken.getClass().getSimpleName();
                try {
                    partChannel.force(true);
                } catch (IOException diskFull) {
                    // what was written is kept; the part stays a prefix of the file either way
                }
                handler.abort(file, why);
                return new Outcome(file, Outcome.State.INTERRUPTED, have, why);
            }
            try {
                partChannel.force(true);
            } catch (IOException e) {
                String why = new PartNotWritten(part, e).getMessage();
                handler.abort(file, why);
                return new Outcome(file, Outcome.State.INTERRUPTED, have, why);
            }
            total = in.count;
        }
        if (total < file.size()) {
            // The server closed the stream early: a broken transfer, not a damaged file.
            String why = "transfer broke off after " + total + " of " + file.size() + " bytes";
            handler.abort(file, why);
            return new Outcome(file, Outcome.State.INTERRUPTED, have, why);
        }
        String hash = HexFormat.of().formatHex(sha.digest());
        if (bad != null || total != file.size()) {
            String why = bad != null ? bad.type().label() + ": " + bad : "read " + total + " bytes, expected " + file.size();
            handler.abort(file, why);
            ledger.record("DAMAGED", file, hash);
            Files.deleteIfExists(part);
            return new Outcome(file, Outcome.State.DAMAGED, have, why);
        }
        try {
            ledger.record("COMMITTING", file, hash);
        } catch (IOException e) {
            handler.abort(file, "ledger not writable");
            throw e;
        }
        try {
            handler.commit(file, counts);
        } catch (Exception e) {
            // COMMITTING stays: the next poll asks the handler whether the commit took effect after all.
            handler.abort(file, "commit failed: " + e.getClass().getSimpleName());
            return new Outcome(file, Outcome.State.INTERRUPTED, have, "commit failed");
        }
        ledger.record("DONE", file, hash);
        cleanUp(sftp, file);
        return new Outcome(file, Outcome.State.DONE, have, null);
    }

    /**
     * Removes the local part, then removes (or moves) the file and its metadata on the server. In this
     * order a crash in between leaves the server's file, so the next poll finds it DONE and cleans up
     * again; the other way round the part would be left behind for good.
     */
    private void cleanUp(ChannelSftp sftp, DailyFile file) throws SftpException, IOException {
        Files.deleteIfExists(part(file));
        for (String name : new String[] {file.name(), file.name() + ".metadata"}) {
            try {
                if (config.doneDir() != null) sftp.rename(remote(name), config.doneDir() + "/" + name);
                else sftp.rm(remote(name));
            } catch (SftpException e) {
                if (e.id != ChannelSftp.SSH_FX_NO_SUCH_FILE) throw e;
            }
        }
    }

    private String remote(String name) {
        return config.remoteDir() + "/" + name;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The local part file could not be written (a full disk): not the server's fault. */
    private static final class PartNotWritten extends IOException {
        private static final long serialVersionUID = 1L;

        PartNotWritten(Path part, IOException cause) {
            super("cannot write partial download " + part + ": " + cause.getMessage(), cause);
        }
    }

    /** Copies every byte read to {@code copy} (the local part file). */
    private static final class Tee extends FilterInputStream {
        private final OutputStream copy;
        private final Path part;

        Tee(InputStream in, OutputStream copy, Path part) {
            super(in);
            this.copy = copy;
            this.part = part;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                try {
                    copy.write(b, off, n);
                } catch (IOException e) {
                    throw new PartNotWritten(part, e);
                }
            }
            return n;
        }
    }

    private static final class CountingInput extends FilterInputStream {
        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c >= 0) count++;
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }
    }
}
