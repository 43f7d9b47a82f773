package dk.eindkomst;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What {@link Record} (owned) and {@link RecordView} (a flyweight over the
 * decoder's batch) share: the line's bytes at {@code pos} in {@code buf}
 * with its layout, and every accessor. Every field was validated by the
 * engine, so the accessors only convert. {@link #toString()} shows no field
 * contents: a record may hold a CPR number, which must never be logged.
 */
public abstract sealed class AbstractRecord permits Record, RecordView {
    /** The bytes the line is in (the decoder's chunk or batch copy, or an owned copy). */
    byte[] buf;
    int pos;
    Layout layout;
    int amountScale;
    /** Field numbers the filter's profile shows (bit n: field n); -1 without a filter. */
    long permitted;
    /** Where the 16 pseudonym characters are in {@code buf}, or -1. */
    int pseudonymAt;

    AbstractRecord() {}

    /** The record type (employer {@code Rec_nr}: 1000, 2001, ..., 9999). */
    public int recordType() {
        return layout.recordType();
    }

    /** The layout the record was decoded with (variant included). */
    public Layout layout() {
        return layout;
    }

    /** Physical line, 1-based. */
    public abstract long line();

    /** The line number written in the line (employer {@code Lb_nr}); 0 in a family without one. */
    public abstract int lbNr();

    /** Byte offset of the line's first byte in the (Base64-decoded) stream. */
    public abstract long offset();

    /**
     * The pseudonym that replaces this record's CPR (16 lowercase hex
     * characters) when the decoder's filter has a pseudonymisation key, the
     * record has a CPR and the profile shows the CPR field. The CPR field
     * itself is blank in the line; {@link #value(int)} and {@link #fields()}
     * give the pseudonym in its place (as the CLI).
     */
    public Optional<String> pseudonym() {
        if (pseudonymAt < 0) {
            return Optional.empty();
        }
        for (Field f : layout.fields()) {
            if (f.personal() && !isPermitted(f.no())) {
                return Optional.empty();
            }
        }
        return Optional.of(new String(buf, pseudonymAt, 16, StandardCharsets.US_ASCII));
    }

    /**
     * Whether the decoder's filter shows field {@code no} (always true
     * without a filter). A field not shown is blank in the line and left out
     * of {@link #fields()}.
     */
    public boolean isPermitted(int no) {
        return no >= 0 && no < 64 ? (permitted >>> no & 1) == 1 : permitted == -1L;
    }

    /** A copy of the line's bytes (ISO-8859-1), without its terminator. */
    public byte[] bytes() {
        return java.util.Arrays.copyOfRange(buf, pos, pos + layout.length());
    }

    Field field(int no) {
        Field f = layout.field(no);
        if (f == null) {
            throw new IllegalArgumentException("record " + layout.key() + " has no field " + no);
        }
        return f;
    }

    private boolean blank(int start, int len) {
        for (int i = pos + start, end = i + len; i < end; i++) {
            if (buf[i] != ' ') {
                return false;
            }
        }
        return true;
    }

    private String latin1(int start, int len) {
        return new String(buf, pos + start, len, StandardCharsets.ISO_8859_1);
    }

    /** Field {@code no} exactly as it stands in the line. */
    public String raw(int no) {
        Field f = field(no);
        return latin1(f.start(), f.length());
    }

    /**
     * Field {@code no} without trailing blanks (the CLI's {@code --raw} value);
     * the pseudonym for the CPR field of a pseudonymised record.
     */
    public String value(int no) {
        Field f = field(no);
        if (f.personal() && pseudonymAt >= 0) {
            Optional<String> p = pseudonym();
            if (p.isPresent()) {
                return p.get();
            }
        }
        int end = f.start() + f.length();
        while (end > f.start() && buf[pos + end - 1] == ' ') {
            end--;
        }
        return latin1(f.start(), end - f.start());
    }

    /** The field named {@code name} without trailing blanks. */
    public String value(String name) {
        Field f = layout.field(name);
        if (f == null) {
            throw new IllegalArgumentException("record " + layout.key() + " has no field " + name);
        }
        return value(f.no());
    }

    /** Field {@code no} trimmed of blanks on both sides. */
    public String text(int no) {
        return value(no).stripLeading();
    }

    /**
     * Every field by number, in line order, trailing blanks trimmed (the CLI's
     * {@code --raw}); with a filter, only the fields it shows, the CPR
     * replaced by its pseudonym.
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

    /** The digits at {@code start..start+len} as a number; no allocation. */
    long digits(int start, int len, int fieldNo) {
        long n = 0;
        for (int i = pos + start, end = i + len; i < end; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9) {
                throw new IllegalStateException("field " + fieldNo + " of record " + layout.key() + " is not a number");
            }
            n = n * 10 + d;
        }
        return n;
    }

    /** A numeric field as a number; empty when blank. */
    public OptionalLong number(int no) {
        Field f = field(no);
        if (f.type() != Field.Type.NUMERIC) {
            throw new IllegalArgumentException("field " + no + " of record " + layout.key() + " is not numeric");
        }
        return blank(f.start(), f.length()) ? OptionalLong.empty() : OptionalLong.of(digits(f.start(), f.length(), no));
    }

    /** A {@code YYYYMMDD} field; empty when blank or all zeros. */
    public Optional<LocalDate> date(int no) {
        Field f = field(no);
        if (f.format() != Field.Format.DATE) {
            throw new IllegalArgumentException("field " + no + " of record " + layout.key() + " is not a date");
        }
        if (blank(f.start(), f.length())) {
            return Optional.empty();
        }
        long d = digits(f.start(), f.length(), no);
        return d == 0 ? Optional.empty() : Optional.of(LocalDate.of((int) (d / 10000), (int) (d / 100 % 100), (int) (d % 100)));
    }

    /** A {@code HHMMSS} field; empty when blank. */
    public Optional<LocalTime> time(int no) {
        Field f = field(no);
        if (f.format() != Field.Format.TIME) {
            throw new IllegalArgumentException("field " + no + " of record " + layout.key() + " is not a time");
        }
        if (blank(f.start(), f.length())) {
            return Optional.empty();
        }
        long t = digits(f.start(), f.length(), no);
        return Optional.of(LocalTime.of((int) (t / 10000), (int) (t / 100 % 100), (int) (t % 100)));
    }

    /** An amount, quantity or count with the sign of the field after it, exact; empty when blank. */
    public Optional<BigDecimal> decimal(int no) {
        Field f = field(no);
        int scale;
        if (f.format() == Field.Format.AMOUNT) {
            scale = amountScale;
        } else if (f.format() == Field.Format.QUANTITY) {
            scale = f.decimals();
        } else if (f.role() == Field.Role.COUNT) {
            scale = 0;
        } else {
            throw new IllegalArgumentException("field " + no + " of record " + layout.key() + " is not an amount");
        }
        if (blank(f.start(), f.length())) {
            return Optional.empty();
        }
        long units = digits(f.start(), f.length(), no);
        int next = layout.fields().indexOf(f) + 1;
        if (next < layout.fields().size()) {
            Field sign = layout.fields().get(next);
            if (sign.format() == Field.Format.SIGN && buf[pos + sign.start()] == '-') {
                units = -units;
            }
        }
        return Optional.of(BigDecimal.valueOf(units, scale));
    }

    /** The CPR number (the field with role {@code cpr}: employer 2101, 4101, 6000), when given. Personal data. */
    public Optional<String> cpr() {
        Field f = layout.field(Field.Role.CPR);
        if (f == null || blank(f.start(), f.length())) {
            return Optional.empty();
        }
        String v = latin1(f.start(), f.length());
        return v.chars().allMatch(c -> c == '0') ? Optional.empty() : Optional.of(v);
    }

    /** The SE-nr the record names (role se, person_se or sender_se: employer 2001, 6000, 1000). */
    public OptionalInt seNr() {
        Field f = layout.field(Field.Role.SE);
        if (f == null) {
            f = layout.field(Field.Role.PERSON_SE);
        }
        if (f == null) {
            f = layout.field(Field.Role.SENDER_SE);
        }
        if (f == null || blank(f.start(), f.length())) {
            return OptionalInt.empty();
        }
        long n = digits(f.start(), f.length(), f.no());
        return n != 0 ? OptionalInt.of((int) n) : OptionalInt.empty();
    }

    /** The feltnummer (role {@code feltnummer}: employer 3101, 6001-6005), or -1; no allocation. */
    public int feltnummerOrMinus1() {
        int at = layout.feltnummerAt;
        if (at < 0) {
            return -1;
        }
        int start = at >>> 8;
        int len = at & 0xFF;
        int n = 0;
        for (int i = pos + start, end = i + len; i < end; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            n = n * 10 + d;
        }
        return n;
    }

    /** The feltnummer (role {@code feltnummer}: employer 3101, 6001-6005). */
    public OptionalInt feltnummer() {
        int n = feltnummerOrMinus1();
        return n < 0 ? OptionalInt.empty() : OptionalInt.of(n);
    }

    /** The first amount of the record (role {@code amount}) with its sign, exact. */
    public Optional<BigDecimal> amount() {
        return layout.amountAt < 0 ? Optional.empty() : decimal(amountField().no());
    }

    private Field amountField() {
        for (Field f : layout.fields()) {
            if (f.start() == layout.amountAt) {
                return f;
            }
        }
        throw new IllegalStateException("no amount");
    }

    /**
     * The first amount in øre, with its sign; no allocation.
     *
     * @throws ArithmeticException when the amount has digits below 1 øre
     */
    public OptionalLong amountOre() {
        if (layout.amountAt < 0 || layout.amountLen == 0) {
            return OptionalLong.empty();
        }
        long ore = amountOreOrBlank();
        return ore == BLANK ? OptionalLong.empty() : OptionalLong.of(ore);
    }

    /**
     * The first amount in øre, with its sign, or {@code orElse} when the record has
     * none or it is blank: {@code amountOre().orElse(orElse)} without the
     * {@link OptionalLong}, for hot loops.
     *
     * @throws ArithmeticException when the amount has digits below 1 øre
     */
    public long amountOreOr(long orElse) {
        if (layout.amountAt < 0 || layout.amountLen == 0) {
            return orElse;
        }
        long ore = amountOreOrBlank();
        return ore == BLANK ? orElse : ore;
    }

    /** {@link #amountOre()} for a record known to have an amount. */
    long amountOreUnchecked() {
        return toOre(digits(layout.amountAt, layout.amountLen, 0));
    }

    /** {@link #amountOreOrBlank()} for a blank amount (no amount has 19 digits). */
    private static final long BLANK = Long.MIN_VALUE;

    /**
     * The amount in øre, or {@link #BLANK}: one pass and no division (the digits
     * down to 1 øre make the number, the digits below must be zeros), eight digits at
     * a time. Any other field (blank, not a number, digits below 1 øre) takes the
     * checked path.
     */
    private long amountOreOrBlank() {
        Layout l = layout;
        int scale = l.amountScale >= 0 ? l.amountScale : amountScale;
        byte[] b = buf;
        int start = pos + l.amountAt;
        int end = start + l.amountLen;
        int cut = scale > 2 ? Math.max(start, end - (scale - 2)) : end;
        long units = parseDigits(b, start, cut);
        if (units < 0) {
            return amountOreChecked();
        }
        if (end - cut == 4 ? (int) INTS.get(b, cut) != ZEROS4 : !zeros(b, cut, end)) {
            return amountOreChecked();
        }
        long ore = scale < 2 ? units * POW10[2 - scale] : units;
        return l.signAt >= 0 && b[pos + l.signAt] == '-' ? -ore : ore;
    }

    /** {@link #BLANK} when blank; else the amount, throwing when it is not a number or has digits below 1 øre. */
    private long amountOreChecked() {
        return blank(layout.amountAt, layout.amountLen) ? BLANK : amountOreUnchecked();
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    /** "0000" as a little-endian int. */
    private static final int ZEROS4 = 0x30303030;

    private static boolean zeros(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != '0') {
                return false;
            }
        }
        return true;
    }

    /**
     * The digits at {@code from..to} of {@code b} as a number, or -1 when one is not a
     * digit: eight at a time (SWAR: one 64-bit load, a check, three multiplications),
     * then four (one 32-bit load), then one by one.
     */
    static long parseDigits(byte[] b, int from, int to) {
        long n = 0;
        int i = from;
        for (; to - i >= 8; i += 8) {
            long v = (long) LONGS.get(b, i);
            // Every byte 0x30..0x39: high nibble 3, and still 3 after adding 6.
            if ((((v & 0xF0F0F0F0F0F0F0F0L) ^ 0x3030303030303030L)
                    | (((v + 0x0606060606060606L) & 0xF0F0F0F0F0F0F0F0L) ^ 0x3030303030303030L)) != 0) {
                return -1;
            }
            v = (v & 0x0F0F0F0F0F0F0F0FL) * 2561 >>> 8;
            v = (v & 0x00FF00FF00FF00FFL) * 6553601 >>> 16;
            v = (v & 0x0000FFFF0000FFFFL) * 42949672960001L >>> 32;
            n = n * 100_000_000L + v;
        }
        if (to - i >= 4) { // four more at once: the 12 digits down to 1 øre of a 16-digit amount are 8 + 4
            int v = (int) INTS.get(b, i);
            if ((((v & 0xF0F0F0F0) ^ 0x30303030) | (((v + 0x06060606) & 0xF0F0F0F0) ^ 0x30303030)) != 0) {
                return -1;
            }
            n = n * 10_000 + ((v & 0xF) * 1000 + (v >>> 8 & 0xF) * 100 + (v >>> 16 & 0xF) * 10 + (v >>> 24 & 0xF));
            i += 4;
        }
        for (; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            n = n * 10 + d;
        }
        return n;
    }

    private long toOre(long units) {
        int scale = layout.amountScale >= 0 ? layout.amountScale : amountScale;
        long ore;
        if (scale <= 2) {
            ore = units * POW10[2 - scale];
        } else {
            long div = POW10[scale - 2];
            if (units % div != 0) {
                throw new ArithmeticException("amount of record " + layout.key() + " line " + line() + " has digits below 1 øre");
            }
            ore = units / div;
        }
        return layout.signAt >= 0 && buf[pos + layout.signAt] == '-' ? -ore : ore;
    }

    private static final long[] POW10 = {1L, 10L, 100L, 1000L, 10000L, 100000L, 1000000L, 10000000L, 100000000L,
            1000000000L, 10000000000L, 100000000000L, 1000000000000L, 10000000000000L, 100000000000000L,
            1000000000000000L, 10000000000000000L, 100000000000000000L};

    /** An owned copy that stays valid (a {@link RecordView} is reused). */
    public Record copy() {
        byte[] b = new byte[layout.length() + (pseudonymAt >= 0 ? 16 : 0)];
        System.arraycopy(buf, pos, b, 0, layout.length());
        if (pseudonymAt >= 0) {
            System.arraycopy(buf, pseudonymAt, b, layout.length(), 16);
        }
        return new Record(layout, b, line(), lbNr(), offset(), amountScale, permitted, pseudonymAt >= 0);
    }

    /** {@code Record 6001 line 11 (Lb_nr 11)}: no field contents. */
    @Override
    public String toString() {
        return "Record " + layout.key() + " line " + line() + " (Lb_nr " + lbNr() + ")";
    }
}
