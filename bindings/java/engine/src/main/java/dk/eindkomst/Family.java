package dk.eindkomst;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A record family: the employer reporting family ({@link #employer()}, the
 * default) or one loaded from its JSON description ({@code docs/layouts.md}),
 * such as the subscriber file a municipality gets from KOMBIT. A family lives
 * for the process; loading the same text again gives the same family.
 * Immutable and thread-safe.
 */
public final class Family {
    private static Family employer;

    final Pointer handle;
    private final String name;
    private final boolean lineNumbers;
    private final int separator;
    private final List<Layout> layouts;
    private final int records;

    private Family(Pointer handle) {
        this.handle = handle;
        Memory info = new Memory(Abi.FAMILY_INFO_SIZE);
        NativeLib.check("eik_family_describe", NativeLib.eik_family_describe(handle, info));
        name = NativeLib.str(info, Abi.FAMILY_INFO_NAME);
        int n = info.getInt(Abi.FAMILY_INFO_N_LAYOUTS);
        records = info.getInt(Abi.FAMILY_INFO_N_RECORDS);
        separator = info.getByte(Abi.FAMILY_INFO_SEPARATOR) & 0xFF;
        lineNumbers = info.getByte(Abi.FAMILY_INFO_HAS_LINE_NUMBERS) != 0;
        List<Layout> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            all.add(Layout.read(handle, i));
        }
        layouts = Collections.unmodifiableList(all);
    }

    /** The built-in employer reporting family. */
    public static synchronized Family employer() {
        if (employer == null) {
            employer = new Family(NativeLib.eik_family_employer());
        }
        return employer;
    }

    /**
     * A family from its JSON text.
     *
     * @throws IllegalArgumentException with the engine's reason when the text is not a valid family
     */
    public static Family fromJson(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        Memory text = new Memory(Math.max(1, bytes.length));
        text.write(0, bytes, 0, bytes.length);
        Memory out = new Memory(8);
        Memory msg = new Memory(512);
        msg.setByte(0, (byte) 0);
        int status = NativeLib.eik_family_load(text, bytes.length, out, msg, 512);
        if (status == Abi.STATUS_INVALID_FAMILY) {
            throw new IllegalArgumentException("family: " + msg.getString(0, "UTF-8"));
        }
        NativeLib.check("eik_family_load", status);
        return new Family(out.getPointer(0));
    }

    /**
     * A family from its JSON file; errors name the file, its CPR-like digit
     * runs masked (an I/O error is rethrown without its cause, whose text
     * holds the path unmasked).
     */
    public static Family load(Path path) throws IOException {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new java.nio.file.NoSuchFileException(Redact.maskCprLike(String.valueOf(path)));
        } catch (IOException e) {
            throw new IOException(Redact.maskCprLike(path + ": " + e.getMessage()));
        }
        try {
            return fromJson(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(Redact.maskCprLike(path + ": " + e.getMessage()), e);
        }
    }

    /** The family's name ("employer", "demo"). */
    public String name() {
        return name;
    }

    /** Whether lines carry a running line number (employer {@code Lb_nr}). */
    public boolean hasLineNumbers() {
        return lineNumbers;
    }

    /** The field separator of a separated family ({@code '}), or 0 for fixed width. */
    public int separator() {
        return separator;
    }

    /** Every layout: each record type's current layout first, then the variants. */
    public List<Layout> layouts() {
        return layouts;
    }

    /** The current layout of a record type, or null when there is none. */
    public Layout layout(int recordType) {
        for (int i = 0; i < records; i++) {
            if (layouts.get(i).recordType() == recordType) {
                return layouts.get(i);
            }
        }
        return null;
    }

    /** A named variant of a record type ("" for the current layout), or null. */
    public Layout layout(int recordType, String variant) {
        for (Layout l : layouts) {
            if (l.recordType() == recordType && l.variant().equals(variant)) {
                return l;
            }
        }
        return null;
    }

    Layout at(int index) {
        return layouts.get(index);
    }

    /**
     * Checks one value (a CPR, an SE-nr) against a field of a record type by
     * the rules the decoder applies to it in a line: empty when it is fine,
     * else the finding. The field is the record type's first field with
     * {@code role}. The value is never copied into the result.
     *
     * <pre>{@code
     * Family.employer().checkField(6000, Field.Role.CPR, "61019O1234")   // not_digit at 5
     * }</pre>
     *
     * @throws IllegalArgumentException when the record type has no field with that role
     */
    public Optional<FieldCheck> checkField(int recordType, Field.Role role, String value) {
        return check(recordType, role.ordinal(), 0, value);
    }

    /** {@link #checkField(int, Field.Role, String)} by field number. */
    public Optional<FieldCheck> checkField(int recordType, int fieldNo, String value) {
        return check(recordType, 0, fieldNo, value);
    }

    private Optional<FieldCheck> check(int recordType, int role, int fieldNo, String value) {
        byte[] v = value.getBytes(StandardCharsets.ISO_8859_1);
        Memory opts = new Memory(Abi.OPTIONS_SIZE);
        NativeLib.check("eik_options_default", NativeLib.eik_options_default(opts));
        opts.setPointer(Abi.OPTIONS_FAMILY, handle);
        Memory val = new Memory(Math.max(1, v.length));
        val.write(0, v, 0, v.length);
        Memory out = new Memory(Abi.FIELD_CHECK_SIZE);
        int status = NativeLib.eik_check_field(opts, (short) recordType, role, (byte) fieldNo, val, v.length, out);
        if (status == Abi.STATUS_NOT_FOUND) {
            throw new IllegalArgumentException(Redact.maskCprLike("record " + recordType + " of family " + name + " has no such field"));
        }
        NativeLib.check("eik_check_field", status);
        int kind = out.getShort(Abi.FIELD_CHECK_KIND) & 0xFFFF;
        if (kind == 0) {
            return Optional.empty();
        }
        return Optional.of(new FieldCheck(FindingKind.of(kind), out.getInt(Abi.FIELD_CHECK_AT),
                out.getByte(Abi.FIELD_CHECK_SEVERITY) == Abi.SEVERITY_WARNING, out.getByte(Abi.FIELD_CHECK_FIELD_NO) & 0xFF,
                out.getLong(Abi.FIELD_CHECK_EXPECTED), out.getLong(Abi.FIELD_CHECK_FOUND)));
    }

    /**
     * What {@link #checkField} found.
     *
     * @param kind the finding's kind ({@code kind().code()}: "not_digit")
     * @param at the byte position of the problem in the value
     * @param warning whether it is only a warning (the value is usable)
     * @param fieldNo the field checked
     * @param expected the kind's first number (a length), else 0
     * @param found the kind's second number, else 0
     */
    public record FieldCheck(FindingKind kind, int at, boolean warning, int fieldNo, long expected, long found) {}

    @Override
    public String toString() {
        return "Family " + name + " (" + records + " record types)";
    }
}
