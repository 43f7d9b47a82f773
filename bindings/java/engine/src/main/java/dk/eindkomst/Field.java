package dk.eindkomst;

/** One field of a {@link Layout}: where it stands in the line and how to read it. */
public final class Field {
    /** A field's official type. */
    public enum Type {
        /** {@code N}: digits, zero-filled, right-aligned (all blanks when absent). */
        NUMERIC,
        /** {@code A}: ISO-8859-1 text, blank-filled. */
        ALPHA
    }

    /** How a field's bytes are read beyond its type ({@code eik_field_format}). */
    public enum Format {
        /** A number or a text, read as it stands. */
        PLAIN,
        /** Unused positions. */
        FILLER,
        /** {@code YYYYMMDD}. */
        DATE,
        /** {@code HHMMSS}. */
        TIME,
        /** Unsigned digits with the decoder's amount scale; the sign is the next field. */
        AMOUNT,
        /** Unsigned digits with {@link Field#decimals()} decimals; the sign is the next field. */
        QUANTITY,
        /** {@code +} or {@code -} of the field before it. */
        SIGN
    }

    /** What a field means, whatever it is called (a family file's {@code role}). */
    public enum Role {
        /** No special meaning. */
        NONE,
        /** The running line number (employer {@code Lb_nr}). */
        LINE_NUMBER,
        /** The record key (employer {@code Rec_nr}). */
        RECORD_KEY,
        /** A person's CPR number (personal data). */
        CPR,
        /** The SE-nr of the reporting company. */
        SE,
        /** The SE-nr of the file's sender. */
        SENDER_SE,
        /** An SE/CVR-nr where a person would stand. */
        PERSON_SE,
        /** First day of an income period. */
        PERIOD_START,
        /** Last day of an income period. */
        PERIOD_END,
        /** The form field number an amount belongs to ("Feltnummer"). */
        FELTNUMMER,
        /** An amount (sign in the next field). */
        AMOUNT,
        /** A count of units (sign in the next field). */
        COUNT,
        /** The {@code +}/{@code -} of the field before it. */
        SIGN,
        /** A foreign tax identification number. */
        TIN,
        /** A country code. */
        COUNTRY,
        /** The trailer's count of records. */
        TRAILER_COUNT,
        /** The date the file was made. */
        FILE_DATE
    }

    private final int no;
    private final String name;
    private final int start;
    private final int length;
    private final Type type;
    private final Format format;
    private final int decimals;
    private final boolean personal;
    private final Role role;
    private final boolean tail;

    Field(int no, String name, int start, int length, Type type, Format format, int decimals, boolean personal,
            Role role, boolean tail) {
        this.role = role;
        this.tail = tail;
        this.no = no;
        this.name = name;
        this.start = start;
        this.length = length;
        this.type = type;
        this.format = format;
        this.decimals = decimals;
        this.personal = personal;
    }

    /** Field number ("felt"), unique within the record. */
    public int no() {
        return no;
    }

    /** Name as in the spec ("Beloeb"). */
    public String name() {
        return name;
    }

    /** 0-based byte offset in the line. */
    public int start() {
        return start;
    }

    /** Length in bytes. */
    public int length() {
        return length;
    }

    /** N or A. */
    public Type type() {
        return type;
    }

    /** How to read it. */
    public Format format() {
        return format;
    }

    /** Decimals of a {@link Format#QUANTITY} field, else 0. */
    public int decimals() {
        return decimals;
    }

    /** What the field means. */
    public Role role() {
        return role;
    }

    /** Part of an optional tail: a line may end before it. */
    public boolean tail() {
        return tail;
    }

    /** A personal identifier (CPR): never log it. */
    public boolean personal() {
        return personal;
    }

    @Override
    public String toString() {
        return no + " " + name + " [" + start + "+" + length + "]";
    }
}
