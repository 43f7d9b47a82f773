package dk.eindkomst;

/**
 * What went wrong in a {@link Finding}: one value per kind of the engine's
 * error (numbers as in {@code eik_error_kind}, stable and never reused).
 */
public enum ErrorKind {
    /** A kind this version of the C API does not know (a newer core); see eik_error.code. */
    UNKNOWN(0),
    /** The stream holds no record at all. */
    EMPTY_INPUT(1),
    /** The stream starts with a UTF-8 byte order mark (the format is ISO-8859-1). */
    UTF8_BOM(2),
    /** An empty line between records. */
    BLANK_LINE(3),
    /** A line longer than any record; expected = the limit in bytes. */
    LINE_TOO_LONG(4),
    /** A line too short to hold Lb_nr and Rec_nr (11 bytes). */
    LINE_TOO_SHORT(5),
    /** The line length differs from the record type's; expected/found = lengths. */
    WRONG_LENGTH(6),
    /** The line is UTF-8 encoded, so positions shifted. */
    UTF8_ENCODED(7),
    /** A carriage return not followed by a line feed. */
    BARE_CARRIAGE_RETURN(8),
    /** A byte outside ISO-8859-1's printable range; found = the byte. */
    BYTE_OUTSIDE_CHARSET(9),
    /** Rec_nr names no known record type. */
    UNKNOWN_RECORD_TYPE(10),
    /** A numeric field holds something other than digits. */
    NOT_DIGIT(11),
    /** A mandatory field is blank. */
    MISSING_MANDATORY(12),
    /** A field mandatory only in TaxCardBuilder's model is blank (warning). */
    MISSING_FIELD(13),
    /** Not a real calendar date. */
    INVALID_DATE(14),
    /** Not a real time of day. */
    INVALID_TIME(15),
    /** A value outside a closed value set. */
    INVALID_CODE(16),
    /** A value outside an open value set (warning). */
    UNKNOWN_CODE(17),
    /** A sign field that is not + or -. */
    INVALID_SIGN(18),
    /** An amount with digits below 1 øre (warning). */
    SUB_ORE_PRECISION(19),
    /** A 6000 with neither CPR nor SE-nr. */
    NO_IDENTITY(20),
    /** 6000 TIN_landekode differs from the following 8001 Landekode (warning). */
    COUNTRY_MISMATCH(21),
    /** A record whose parent is missing; expected = the parent record type. */
    OUT_OF_ORDER(22),
    /** A record under a rejected parent. */
    PARENT_REJECTED(23),
    /** More than 3 holiday-pay records under one person (warning). */
    TOO_MANY_HOLIDAY_RECORDS(24),
    /** The first record is not a 1000. */
    MISSING_START_RECORD(25),
    /** A second 1000. */
    DUPLICATE_START_RECORD(26),
    /** A record after the 9999. */
    RECORD_AFTER_END(27),
    /** The stream ended without a 9999. */
    MISSING_END_RECORD(28),
    /** The last line has no terminator and is shorter than its record. */
    TRUNCATED_LAST_LINE(29),
    /** Lb_nr skips numbers; expected/found = Lb_nr due / found. */
    LB_NR_GAP(30),
    /** Lb_nr repeats or goes back; expected/found = Lb_nr due / found. */
    LB_NR_REPEAT(31),
    /** 9999 Antal_records is wrong; expected = records counted, found = stated. */
    CONTROL_COUNT(32),
    /** 9999 Antal_records is one more than counted (warning). */
    CONTROL_COUNT_PLUS_ONE(33),
    /** A character outside the Base64 alphabet; found = the byte. */
    INVALID_BASE64(34),
    /** Misplaced Base64 padding. */
    BASE64_PADDING(35),
    /** The Base64 text ends inside a 4-character group. */
    BASE64_TRUNCATED(36);
    private static final ErrorKind[] BY_NUMBER = new ErrorKind[64];

    static {
        for (ErrorKind k : values()) {
            BY_NUMBER[k.number] = k;
        }
    }

    private final int number;

    ErrorKind(int number) {
        this.number = number;
    }

    /** The stable number ({@code eik_error_kind}). */
    public int number() {
        return number;
    }

    /** The kind with that number, {@link #UNKNOWN} for a number this version does not know. */
    public static ErrorKind of(int number) {
        ErrorKind k = number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
        return k != null ? k : UNKNOWN;
    }
}
