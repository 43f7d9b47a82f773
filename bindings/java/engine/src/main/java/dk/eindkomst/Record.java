package dk.eindkomst;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One decoded record: its line's bytes (a copy, ISO-8859-1) with its layout.
 * Every field was validated by the engine, so the accessors only convert.
 *
 * <p>{@link #toString()} shows no field contents: a record may hold a CPR
 * number ({@link #cpr()}), which must never be logged.
 */
public final class Record {
    private final Layout layout;
    private final byte[] bytes;
    private final long line;
    private final long offset;
    private final long seq;
    private final int lbNr;
    private final int amountScale;
    private final long permitted;
    private final String pseudonym;

    Record(Layout layout, byte[] bytes, long line, long offset, long seq, int lbNr, int amountScale) {
        this(layout, bytes, line, offset, seq, lbNr, amountScale, -1L, null);
    }

    Record(Layout layout, byte[] bytes, long line, long offset, long seq, int lbNr, int amountScale, long permitted,
            String pseudonym) {
        this.permitted = permitted;
        this.layout = layout;
        // Shown only where the CPR would be (as the CLI): not when the profile forbids the CPR field.
        boolean cprShown = pseudonym != null
                && layout.fields().stream().noneMatch(f -> f.personal() && !isPermitted(f.no()));
        this.pseudonym = cprShown ? pseudonym : null;
        this.bytes = bytes;
        this.line = line;
        this.offset = offset;
        this.seq = seq;
        this.lbNr = lbNr;
        this.amountScale = amountScale;
    }

    /** The record type ({@code Rec_nr}): 1000, 2001, ..., 9999. */
    public int recordType() {
        return layout.recordType();
    }

    /** The layout the record was decoded with (variant included). */
    public Layout layout() {
        return layout;
    }

    /** Physical line, 1-based. */
    public long line() {
        return line;
    }

    /** The record's {@code Lb_nr} (running number written in the file). */
    public int lbNr() {
        return lbNr;
    }

    /** Byte offset of the line's first byte in the (Base64-decoded) stream. */
    public long offset() {
        return offset;
    }

    /** Position in the decoder's sequence of records and findings ({@link Finding#seq()}). */
    public long seq() {
        return seq;
    }

    /**
     * The pseudonym that replaces this record's CPR (16 lowercase hex
     * characters) when the decoder's filter has a pseudonymisation key, the
     * record has a CPR and the profile permits the CPR field. The CPR field
     * itself is then blank in the line, and {@link #value(int)} /
     * {@link #fields()} give the pseudonym in its place (as the CLI).
     */
    public Optional<String> pseudonym() {
        return Optional.ofNullable(pseudonym);
    }

    /**
     * Whether the decoder's filter profile lets field {@code no} through
     * (always true without a filter). A field not permitted is blank in the
     * line and left out of {@link #fields()}.
     */
    public boolean isPermitted(int no) {
        return no >= 0 && no < 64 ? (permitted >>> no & 1) == 1 : permitted == -1L;
    }

    /** A copy of the line's bytes (ISO-8859-1), without its terminator. */
    public byte[] bytes() {
        return bytes.clone();
    }

    private Field field(int no) {
        Field f = layout.field(no);
        if (f == null) {
            throw new IllegalArgumentException("record " + recordType() + " has no field " + no);
        }
        return f;
    }

    private boolean blank(Field f) {
        for (int i = f.start(), end = f.start() + f.length(); i < end; i++) {
            if (bytes[i] != ' ') {
                return false;
            }
        }
        return true;
    }

    /** Field {@code no} exactly as it stands in the line. */
    public String raw(int no) {
        Field f = field(no);
        return new String(bytes, f.start(), f.length(), StandardCharsets.ISO_8859_1);
    }

    /**
     * Field {@code no} without trailing blanks (the CLI's {@code --raw} value);
     * the pseudonym for the CPR field of a pseudonymised record.
     */
    public String value(int no) {
        Field f = field(no);
        if (pseudonym != null && f.personal()) {
            return pseudonym;
        }
        int end = f.start() + f.length();
        while (end > f.start() && bytes[end - 1] == ' ') {
            end--;
        }
        return new String(bytes, f.start(), end - f.start(), StandardCharsets.ISO_8859_1);
    }

    /** The field named {@code name} without trailing blanks. */
    public String value(String name) {
        Field f = layout.field(name);
        if (f == null) {
            throw new IllegalArgumentException("record " + recordType() + " has no field " + name);
        }
        return value(f.no());
    }

    /** Field {@code no} trimmed of blanks on both sides. */
    public String text(int no) {
        return value(no).stripLeading();
    }

    /**
     * Every field by number, in line order, trailing blanks trimmed (the CLI's
     * {@code --raw}); with a filter, only the fields its profile permits, the
     * CPR replaced by its pseudonym.
     */
    public Map<Integer, String> fields() {
        Map<Integer, String> m = new LinkedHashMap<>();
        for (Field f : layout.fields()) {
            if (isPermitted(f.no())) {
                m.put(f.no(), value(f.no()));
            }
        }
        return m;
    }

    private long digits(Field f) {
        long n = 0;
        for (int i = f.start(), end = f.start() + f.length(); i < end; i++) {
            int d = bytes[i] - '0';
            if (d < 0 || d > 9) {
                throw new IllegalStateException("field " + f.no() + " of record " + recordType() + " is not a number");
            }
            n = n * 10 + d;
        }
        return n;
    }

    /** A numeric field as a number; empty when blank. */
    public OptionalLong number(int no) {
        Field f = field(no);
        if (f.type() != Field.Type.NUMERIC) {
            throw new IllegalArgumentException("field " + no + " of record " + recordType() + " is not numeric");
        }
        return blank(f) ? OptionalLong.empty() : OptionalLong.of(digits(f));
    }

    /** A {@code YYYYMMDD} field; empty when blank or all zeros. */
    public Optional<LocalDate> date(int no) {
        Field f = field(no);
        if (f.format() != Field.Format.DATE) {
            throw new IllegalArgumentException("field " + no + " of record " + recordType() + " is not a date");
        }
        if (blank(f)) {
            return Optional.empty();
        }
        long d = digits(f);
        return d == 0 ? Optional.empty() : Optional.of(LocalDate.of((int) (d / 10000), (int) (d / 100 % 100), (int) (d % 100)));
    }

    /** A {@code HHMMSS} field; empty when blank. */
    public Optional<LocalTime> time(int no) {
        Field f = field(no);
        if (f.format() != Field.Format.TIME) {
            throw new IllegalArgumentException("field " + no + " of record " + recordType() + " is not a time");
        }
        if (blank(f)) {
            return Optional.empty();
        }
        long t = digits(f);
        return Optional.of(LocalTime.of((int) (t / 10000), (int) (t / 100 % 100), (int) (t % 100)));
    }

    /**
     * An amount or quantity field with the sign of the field after it, exact;
     * empty when blank.
     */
    public Optional<BigDecimal> decimal(int no) {
        Field f = field(no);
        int scale;
        if (f.format() == Field.Format.AMOUNT) {
            scale = amountScale;
        } else if (f.format() == Field.Format.QUANTITY) {
            scale = f.decimals();
        } else {
            throw new IllegalArgumentException("field " + no + " of record " + recordType() + " is not an amount");
        }
        if (blank(f)) {
            return Optional.empty();
        }
        long units = digits(f);
        int next = layout.fields().indexOf(f) + 1;
        if (next < layout.fields().size()) {
            Field sign = layout.fields().get(next);
            if (sign.format() == Field.Format.SIGN && bytes[sign.start()] == '-') {
                units = -units;
            }
        }
        return Optional.of(BigDecimal.valueOf(units, scale));
    }

    /**
     * The CPR number of a 2101, 4101 or 6000 record, when given (10 digits).
     * Personal data: never log it.
     */
    public Optional<String> cpr() {
        for (Field f : layout.fields()) {
            if (f.personal()) {
                String v = raw(f.no());
                return v.isBlank() || v.chars().allMatch(c -> c == '0') ? Optional.empty() : Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /** The SE-nr of a 1000 (the reporter), a 2001 (the employer) or a 6000 (a company paid a fee). */
    public OptionalInt seNr() {
        String name;
        switch (recordType()) {
            case 1000:
                name = "Indberetter_SE_nr";
                break;
            case 2001:
                name = "Virksomhed_SE_nr";
                break;
            case 6000:
                name = "Person_CVR_SE_nr";
                break;
            default:
                return OptionalInt.empty();
        }
        OptionalLong n = number(layout.field(name).no());
        return n.isPresent() && n.getAsLong() != 0 ? OptionalInt.of((int) n.getAsLong()) : OptionalInt.empty();
    }

    /** The {@code Feltnummer} of a 3101 or 6001-6005 record. */
    public OptionalInt feltnummer() {
        Field f = layout.field("Feltnummer");
        if (f == null || blank(f)) {
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) digits(f));
    }

    private Field firstAmount() {
        for (Field f : layout.fields()) {
            if (f.format() == Field.Format.AMOUNT) {
                return f;
            }
        }
        return null;
    }

    /**
     * The first amount of the record (6001 Beloeb, 3101 Beloeb, 6102/6202
     * Beloeb_feriepenge, 6111 Beloeb) with its sign, exact.
     */
    public Optional<BigDecimal> amount() {
        Field f = firstAmount();
        return f == null ? Optional.empty() : decimal(f.no());
    }

    /**
     * {@link #amount()} in øre.
     *
     * @throws ArithmeticException when the amount has digits below 1 øre
     */
    public OptionalLong amountOre() {
        return amount().map(a -> OptionalLong.of(a.movePointRight(2).longValueExact())).orElse(OptionalLong.empty());
    }

    /** {@code Record 6001 line 11 (Lb_nr 11)}: no field contents. */
    @Override
    public String toString() {
        return String.format("Record %04d line %d (Lb_nr %d)", recordType(), line, lbNr);
    }
}
