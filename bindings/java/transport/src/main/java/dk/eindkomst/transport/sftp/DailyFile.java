package dk.eindkomst.transport.sftp;

import dk.eindkomst.transport.Redact;

/**
 * A delivered file as the poller sees it.
 *
 * @param name             file name in the delivery directory
 * @param size             size in bytes (equal to the metadata's {@code SizeInBytes} when there is one)
 * @param mtime            modification time on the server, seconds since the epoch
 * @param fileTransferUuid {@code FileTransferUUID} from {@code <name>.metadata}, or {@code null}
 */
public record DailyFile(String name, long size, long mtime, String fileTransferUuid) {
    /**
     * The ledger key: the FileTransferUUID, else name, size and mtime; a UUID or name that holds a CPR-like
     * run stands there as {@link Redact#id} gives it, so the ledger and the part's file name hold no CPR (the same
     * rule as the Beskedfordeler ledger).
     */
    public String key() {
        return fileTransferUuid != null ? Redact.id(fileTransferUuid) : Redact.id(name) + ":" + size + ":" + mtime;
    }

    /** The {@link #key} as it stands in a local file name (the part; a handler's store may use it too). */
    public String safeKey() {
        return key().replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
