package dk.eindkomst;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One record layout of a {@link Family} (a record type, or a variant of
 * one), read once from the engine's tables ({@code eik_family_layout}).
 */
public final class Layout {
    private final int index;
    private final int recordType;
    private final String key;
    private final String name;
    private final String variant;
    private final int length;
    private final List<Field> fields;
    private final Field[] byNo = new Field[256];
    // Where the fields the records use most are (-1: none); read without a lookup.
    final int feltnummerAt;
    final int amountAt;
    final int amountLen;
    final int signAt;
    final int amountScale; // -1: the decoder's amount scale

    private Layout(int index, int recordType, String key, String name, String variant, int length, List<Field> fields) {
        this.index = index;
        this.recordType = recordType;
        this.key = key;
        this.name = name;
        this.variant = variant;
        this.length = length;
        this.fields = Collections.unmodifiableList(fields);
        Field felt = null;
        Field amount = null;
        int sign = -1;
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            byNo[f.no()] = f;
            if (felt == null && f.role() == Field.Role.FELTNUMMER) {
                felt = f;
            }
            boolean isAmount = f.role() == Field.Role.AMOUNT
                    || (f.role() == Field.Role.NONE && f.format() == Field.Format.AMOUNT);
            if (amount == null && isAmount) {
                amount = f;
                if (i + 1 < fields.size() && fields.get(i + 1).format() == Field.Format.SIGN) {
                    sign = fields.get(i + 1).start();
                }
            }
        }
        feltnummerAt = felt == null ? -1 : felt.start() << 8 | felt.length();
        amountAt = amount == null ? -1 : amount.start();
        amountLen = amount == null ? 0 : amount.length();
        signAt = sign;
        amountScale = amount == null || amount.format() != Field.Format.QUANTITY ? -1 : amount.decimals();
    }

    static Layout read(Pointer family, int index) {
        Memory l = new Memory(Abi.LAYOUT_SIZE);
        Memory f = new Memory(Abi.FIELD_SIZE);
        NativeLib.check("eik_family_layout", NativeLib.eik_family_layout(family, index, l));
        int nFields = l.getInt(Abi.LAYOUT_N_FIELDS);
        Field.Type[] types = Field.Type.values();
        Field.Format[] formats = Field.Format.values();
        Field.Role[] roles = Field.Role.values();
        List<Field> fields = new ArrayList<>(nFields);
        for (int j = 0; j < nFields; j++) {
            NativeLib.check("eik_family_field", NativeLib.eik_family_field(family, index, j, f));
            fields.add(new Field(
                    f.getByte(Abi.FIELD_NO) & 0xFF,
                    NativeLib.str(f, Abi.FIELD_NAME),
                    f.getShort(Abi.FIELD_START) & 0xFFFF,
                    f.getShort(Abi.FIELD_LEN) & 0xFFFF,
                    types[Math.min(f.getByte(Abi.FIELD_FIELD_TYPE), types.length - 1)],
                    formats[Math.min(f.getByte(Abi.FIELD_FORMAT), formats.length - 1)],
                    f.getByte(Abi.FIELD_DECIMALS) & 0xFF,
                    f.getByte(Abi.FIELD_PERSONAL) != 0,
                    roles[Math.min(f.getByte(Abi.FIELD_ROLE), roles.length - 1)],
                    f.getByte(Abi.FIELD_TAIL) != 0));
        }
        return new Layout(index, l.getShort(Abi.LAYOUT_RECORD_TYPE) & 0xFFFF, NativeLib.str(l, Abi.LAYOUT_KEY),
                NativeLib.str(l, Abi.LAYOUT_NAME), NativeLib.str(l, Abi.LAYOUT_VARIANT),
                l.getShort(Abi.LAYOUT_LENGTH) & 0xFFFF, fields);
    }

    /** The employer family's layouts: each record type's current layout first, then the variants. */
    public static List<Layout> all() {
        return Family.employer().layouts();
    }

    /** The employer family's current layout of a record type (6001), or null when there is none. */
    public static Layout of(int recordType) {
        return Family.employer().layout(recordType);
    }

    /** Index in its family's tables. */
    public int index() {
        return index;
    }

    /** The record type (employer {@code Rec_nr}: 1000, 2001, ..., 9999). */
    public int recordType() {
        return recordType;
    }

    /** The record key as it stands in the file ("6001", "120"). */
    public String key() {
        return key;
    }

    /** Short name ("Beløbsfelt"). */
    public String name() {
        return name;
    }

    /** "" for the current layout, else the variant key ("v7.1", "TaxCardBuilder"). */
    public String variant() {
        return variant;
    }

    /** Line length in bytes (optional tail included), without terminator. */
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

    /** The first field with {@code role}, or null. */
    public Field field(Field.Role role) {
        for (Field f : fields) {
            if (f.role() == role) {
                return f;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return key + " " + name + (variant.isEmpty() ? "" : " (" + variant + ")");
    }
}
