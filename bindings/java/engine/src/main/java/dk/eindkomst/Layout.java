package dk.eindkomst;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One record layout (a record type, or a variant of one), read once from the
 * engine's tables ({@code eik_layout_*}).
 */
public final class Layout {
    private static final Layout[] ALL = load();

    private final int index;
    private final int recordType;
    private final String name;
    private final String variant;
    private final int length;
    private final List<Field> fields;
    private final Field[] byNo = new Field[256];

    private Layout(int index, int recordType, String name, String variant, int length, List<Field> fields) {
        this.index = index;
        this.recordType = recordType;
        this.name = name;
        this.variant = variant;
        this.length = length;
        this.fields = Collections.unmodifiableList(fields);
        for (Field f : fields) {
            byNo[f.no()] = f;
        }
    }

    /** Every built-in layout: each record type's current layout first, then the variants. */
    public static List<Layout> all() {
        return List.of(ALL);
    }

    /** The current layout of a record type (6001), or null when there is none. */
    public static Layout of(int recordType) {
        for (Layout l : ALL) {
            if (l.recordType == recordType) {
                return l;
            }
        }
        return null;
    }

    static Layout at(int index) {
        return ALL[index];
    }

    /** Index in the engine's tables. */
    public int index() {
        return index;
    }

    /** {@code Rec_nr}: 1000, 2001, ..., 9999. */
    public int recordType() {
        return recordType;
    }

    /** Short name ("Beløbsfelt"). */
    public String name() {
        return name;
    }

    /** "" for the current layout, else the variant key ("v7.1"). */
    public String variant() {
        return variant;
    }

    /** Exact line length in bytes, without terminator. */
    public int length() {
        return length;
    }

    /** The fields in line order. */
    public List<Field> fields() {
        return fields;
    }

    /** Field number {@code no}, or null. */
    public Field field(int no) {
        return no >= 0 && no < byNo.length ? byNo[no] : null;
    }

    /** The first field named {@code name}, or null. */
    public Field field(String name) {
        for (Field f : fields) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return String.format("%04d %s%s", recordType, name, variant.isEmpty() ? "" : " (" + variant + ")");
    }

    private static String string(Pointer p, long offset) {
        Pointer s = p.getPointer(offset);
        return s == null ? "" : s.getString(0, "UTF-8");
    }

    private static Layout[] load() {
        int count = (int) NativeLib.eik_layout_count();
        Layout[] all = new Layout[count];
        Memory l = new Memory(NativeLib.LAYOUT_SIZE);
        Memory f = new Memory(NativeLib.FIELD_SIZE);
        Field.Type[] types = Field.Type.values();
        Field.Format[] formats = Field.Format.values();
        for (int i = 0; i < count; i++) {
            NativeLib.check("eik_layout_at", NativeLib.eik_layout_at(i, l));
            int nFields = l.getInt(20);
            List<Field> fields = new ArrayList<>(nFields);
            for (int j = 0; j < nFields; j++) {
                NativeLib.check("eik_layout_field", NativeLib.eik_layout_field(i, j, f));
                fields.add(new Field(
                        f.getByte(24) & 0xFF,
                        string(f, 0),
                        f.getShort(20) & 0xFFFF,
                        f.getShort(22) & 0xFFFF,
                        types[Math.min(f.getInt(8), types.length - 1)],
                        formats[Math.min(f.getInt(12), formats.length - 1)],
                        f.getByte(25) & 0xFF,
                        f.getByte(26) != 0));
            }
            all[i] = new Layout(i, l.getShort(24) & 0xFFFF, string(l, 0), string(l, 8), l.getShort(26) & 0xFFFF, fields);
        }
        return all;
    }
}
