package dk.eindkomst.transport.sftp;

import dk.eindkomst.transport.Redact;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

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
     * run stands there as {@code sha256:} + its Base64url SHA-256, so the ledger and the part's file name hold
     * no CPR (the same rule as the Beskedfordeler ledger).
     */
    public String key() {
        return fileTransferUuid != null ? keyPart(fileTransferUuid) : keyPart(name) + ":" + size + ":" + mtime;
    }

    /** {@code id}, or {@code sha256:} + its Base64url SHA-256 when it holds a CPR-like run. */
    static String keyPart(String id) {
        if (Redact.cpr(id).equals(id)) return id;
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + Redact.cpr(Base64.getUrlEncoder().withoutPadding().encodeToString(d));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
