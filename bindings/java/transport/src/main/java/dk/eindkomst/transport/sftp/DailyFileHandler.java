package dk.eindkomst.transport.sftp;

import dk.eindkomst.Counts;
import dk.eindkomst.Record;

/**
 * The user's code for one daily file, called as a transaction: {@link #begin}, {@link #record} for every
 * record in order, then {@link #commit} (the file was clean: make everything since begin durable) or
 * {@link #abort} (discard everything since begin: the file was damaged or the transfer broke). A file is
 * marked done, and removed from the server, only after commit returned.
 *
 * <p>Exactly once: the poller may die at any instruction (a crash, SIGKILL, a full disk). It then starts the
 * file again from {@link #begin}, so {@link #record} may see a record more than once, but a file's records
 * take effect exactly once if the handler keeps two promises:
 * <ul>
 * <li>{@link #commit} stores the records and {@link DailyFile#key()} in one atomic step (one database
 *     transaction, or one rename of a file named after the key), and whatever was not committed is gone
 *     after a crash (an open transaction rolls back);</li>
 * <li>{@link #committed} answers from that store whether the key was committed.</li>
 * </ul>
 * The poller writes COMMITTING to its ledger (forced to disk) before {@link #commit} and DONE after it, and
 * asks {@link #committed} before it decodes a file that is not DONE: yes (the process died between the
 * commit and DONE, or the ledger was lost), the file is only marked done and removed; no, it is decoded.
 */
public interface DailyFileHandler {
    void begin(DailyFile file) throws Exception;

    void record(Record record) throws Exception;

    /** Makes everything since {@link #begin} durable, atomically together with {@code file.key()}. */
    void commit(DailyFile file, Counts counts) throws Exception;

    /** Discard what came since {@link #begin}; {@code reason} holds no field contents. */
    void abort(DailyFile file, String reason);

    /** Whether {@link #commit} for {@code file.key()} completed (asked before a file that is not DONE is decoded). */
    boolean committed(DailyFile file) throws Exception;
}
