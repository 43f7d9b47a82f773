package dk.eindkomst.transport.sftp;

import dk.eindkomst.transport.Redact;

/**
 * What one poll did with one file.
 *
 * @param file         the file
 * @param state        what happened
 * @param resumedFrom  bytes taken from an earlier partial download instead of the server (0 for a fresh one)
 * @param detail       for DAMAGED/INTERRUPTED/NOT_FOR_US: why (positions and kinds only, never field contents)
 */
public record Outcome(DailyFile file, State state, long resumedFrom, String detail) {
    /** The detail masked: it may name the file, and a file name may hold a CPR. */
    public Outcome {
        detail = Redact.cpr(detail);
    }

    /** The states of a file after a poll. */
    public enum State {
        /** Decoded cleanly, committed, recorded in the ledger and removed (or moved) on the server. */
        DONE,
        /** Already in the ledger as done (e.g. a crash before the cleanup); only removed now. */
        ALREADY_DONE,
        /** Not complete yet (metadata missing, size below SizeInBytes, or size still changing). */
        IN_FLIGHT,
        /** The engine rejected lines or the size is wrong: reported, left on the server, not retried. */
        DAMAGED,
        /** The transfer or the handler broke off; the partial download is kept and resumed next poll. */
        INTERRUPTED,
        /** The metadata names other recipients: left alone. */
        NOT_FOR_US
    }
}
