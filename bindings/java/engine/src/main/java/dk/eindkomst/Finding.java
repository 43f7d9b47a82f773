package dk.eindkomst;

import java.util.OptionalInt;

/**
 * A rejected line, a stream error or a warning, with its position. It never
 * holds field contents, so it carries no CPR number and is safe to log.
 */
public final class Finding {
    private final FindingType type;
    private final ErrorKind kind;
    private final String code;
    private final String message;
    private final long seq;
    private final long line;
    private final long offset;
    private final int lbNr;
    private final boolean hasLbNr;
    private final int record;
    private final int fieldNo;
    private final String fieldName;
    private final long expected;
    private final long found;

    Finding(FindingType type, ErrorKind kind, String code, String message, long seq, long line, long offset,
            int lbNr, boolean hasLbNr, int record, int fieldNo, String fieldName, long expected, long found) {
        this.type = type;
        this.kind = kind;
        this.code = code;
        this.message = message;
        this.seq = seq;
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

    /** What went wrong. */
    public ErrorKind kind() {
        return kind;
    }

    /** The kind as a stable snake_case string ("not_digit"), the same in every binding. */
    public String code() {
        return code;
    }

    /** A short English description of the kind, without data values. */
    public String message() {
        return message;
    }

    /** Position in the decoder's sequence of records and findings ({@link Record#seq()}). */
    public long seq() {
        return seq;
    }

    /** Physical line, 1-based (0 for a finding before any line). */
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

    /** A number the kind carries (see {@link ErrorKind}), else 0. */
    public long expected() {
        return expected;
    }

    /** A number the kind carries (see {@link ErrorKind}), else 0. */
    public long found() {
        return found;
    }

    /**
     * One line, as the CLI prints it after "rejected: " etc.:
     * {@code line 7 (Lb_nr 7), record 6001, field 4 Beloeb, offset 230: non-digit in numeric field}.
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(96).append("line ").append(line);
        if (hasLbNr) {
            s.append(" (Lb_nr ").append(lbNr).append(')');
        }
        if (record != 0) {
            s.append(", record ").append(String.format("%04d", record));
        }
        if (fieldNo != 0) {
            s.append(", field ").append(fieldNo).append(' ').append(fieldName);
        }
        s.append(", offset ").append(offset).append(": ").append(message);
        switch (kind) {
            case WRONG_LENGTH:
            case LB_NR_GAP:
            case LB_NR_REPEAT:
                s.append(" (expected ").append(expected).append(", found ").append(found).append(')');
                break;
            case LINE_TOO_LONG:
                s.append(" (limit ").append(expected).append(')');
                break;
            case BYTE_OUTSIDE_CHARSET:
            case INVALID_BASE64:
                s.append(String.format(" (byte 0x%02X)", found));
                break;
            case OUT_OF_ORDER:
                s.append(String.format(" (needs an open %04d)", expected));
                break;
            case CONTROL_COUNT:
                s.append(" (counted ").append(expected).append(", stated ").append(found).append(')');
                break;
            default:
                break;
        }
        return s.toString();
    }
}
