package dk.eindkomst;

import java.util.OptionalInt;

/**
 * A rejected line, a stream error or a warning, with its position. It never
 * holds field contents, so it carries no CPR number and is safe to log.
 */
public final class Finding {
    private final FindingType type;
    private final FindingKind kind;
    private final int kindNumber;
    private final String text;
    private final long line;
    private final long offset;
    private final int lbNr;
    private final boolean hasLbNr;
    private final int record;
    private final int fieldNo;
    private final String fieldName;
    private final long expected;
    private final long found;

    Finding(FindingType type, int kindNumber, String text, long line, long offset, int lbNr, boolean hasLbNr,
            int record, int fieldNo, String fieldName, long expected, long found) {
        this.type = type;
        this.kind = FindingKind.of(kindNumber);
        this.kindNumber = kindNumber;
        this.text = text;
        this.line = line;
        this.offset = offset;
        this.lbNr = lbNr;
        this.hasLbNr = hasLbNr;
        this.record = record;
        this.fieldNo = fieldNo;
        this.fieldName = fieldName;
        this.expected = expected;
        this.found = found;
    }

    /** Rejected line, stream error or warning. */
    public FindingType type() {
        return type;
    }

    /** What it is about ({@link FindingKind#UNKNOWN} for a kind of a newer library). */
    public FindingKind kind() {
        return kind;
    }

    /** The kind's stable number (also for a kind this version does not know). */
    public int kindNumber() {
        return kindNumber;
    }

    /** The kind as a stable snake_case string ("not_digit"), the same in every binding. */
    public String code() {
        return kind == FindingKind.UNKNOWN ? "unknown_" + kindNumber : kind.code();
    }

    /** A short English description of the kind, without data values. */
    public String message() {
        return kind.message();
    }

    /** Physical line, 1-based (0 for a finding about the whole stream). */
    public long line() {
        return line;
    }

    /** 0-based byte offset in the (Base64-decoded) stream of the offending byte or field. */
    public long offset() {
        return offset;
    }

    /** The line's Lb_nr, when it could be read. */
    public OptionalInt lbNr() {
        return hasLbNr ? OptionalInt.of(lbNr) : OptionalInt.empty();
    }

    /** The line's record type (6001), or 0 when unknown. */
    public int record() {
        return record;
    }

    /** The field number ("felt"), or 0 when the finding names no field. */
    public int fieldNo() {
        return fieldNo;
    }

    /** The field's name from the layout ("Beloeb"), or "" when the finding names no field. */
    public String fieldName() {
        return fieldName;
    }

    /** The kind's first number (a limit, an expected length or count), else 0. */
    public long expected() {
        return expected;
    }

    /** The kind's second number (a length, count or byte found), else 0. */
    public long found() {
        return found;
    }

    /** Whether it stops a strict decoder (a rejected line or a stream error). */
    public boolean isFatal() {
        return type != FindingType.WARNING;
    }

    /**
     * The engine's one-line text, as the CLI prints it after "rejected: " etc.:
     * {@code line 7 (Lb_nr 7), record 6001, field 4 Beloeb, offset 230: non-digit in numeric field}.
     */
    @Override
    public String toString() {
        return text;
    }
}
