package dk.eindkomst.transport.sftp;

import dk.eindkomst.Counts;
import dk.eindkomst.Record;

/**
 * The user's code for one daily file, called as a transaction: {@link #begin}, {@link #record} for every
 * record in order, then {@link #commit} (the file was clean: make everything since begin durable) or
 * {@link #abort} (discard everything since begin: the file was damaged or the transfer broke). A file is
 * marked done, and removed from the server, only after commit returned.
 */
public interface DailyFileHandler {
    void begin(DailyFile file) throws Exception;

    void record(Record record) throws Exception;

    void commit(DailyFile file, Counts counts) throws Exception;

    /** Discard what came since {@link #begin}; {@code reason} holds no field contents. */
    void abort(DailyFile file, String reason);
}
