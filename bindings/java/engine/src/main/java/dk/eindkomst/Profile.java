package dk.eindkomst;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which record types and fields a recipient may see. {@link #FULL}:
 * everything; {@link #MINIMAL}: the identity of employer and person, the pay
 * period, A-indkomst (6001 felt 13, 14) and AM-bidrag (felt 16);
 * {@link #custom}: your own table. A record type missing from the table is
 * not passed (a header of that type may pass bare, with {@code Lb_nr} and
 * {@code Rec_nr} only, which every profile keeps). See docs/filtering.md.
 */
public final class Profile {
    static final int KIND_FULL = 0;
    static final int KIND_MINIMAL = 1;
    static final int KIND_CUSTOM = 2;

    /** Every record type, every field, every felt number. */
    public static final Profile FULL = new Profile("full", KIND_FULL, null, null);

    /**
     * The engine's strict minimal profile. The table here mirrors the engine's
     * {@code MINIMAL} for {@link #permits} (the C ABI does not export it); the
     * engine itself does the blanking.
     */
    public static final Profile MINIMAL = new Profile("minimal", KIND_MINIMAL, null, null);

    private final String name;
    private final int kind;
    private final TreeMap<Integer, Long> records; // null: every type, every field
    private final int[] feltnumre; // null: all
    private final java.util.concurrent.ConcurrentHashMap<Integer, Long> masks = new java.util.concurrent.ConcurrentHashMap<>();

    private Profile(String name, int kind, TreeMap<Integer, Long> records, int[] feltnumre) {
        this.name = name;
        this.kind = kind;
        this.records = records;
        this.feltnumre = feltnumre;
    }

    /**
     * A profile of your own: record type → permitted field numbers (1-63), and
     * the permitted felt numbers ({@code null}: all; empty: none), like the
     * CLI's {@code --profile FILE}.
     */
    public static Profile custom(String name, Map<Integer, ? extends Collection<Integer>> records,
            Collection<Integer> feltnumre) {
        Objects.requireNonNull(records, "records");
        TreeMap<Integer, Long> table = new TreeMap<>();
        records.forEach((type, nos) -> {
            if (type == null || type < 0 || type > 9999) {
                throw new IllegalArgumentException(Redact.maskCprLike("record type " + type + " is outside 0-9999"));
            }
            long m = 0;
            for (int no : nos == null ? List.<Integer>of() : nos) {
                if (no < 1 || no > 63) {
                    throw new IllegalArgumentException(Redact.maskCprLike("field number " + no + " is outside 1-63"));
                }
                m |= 1L << no;
            }
            table.put(type, m);
        });
        int[] felt = null;
        if (feltnumre != null) {
            felt = new TreeSet<>(feltnumre).stream().mapToInt(Integer::intValue).toArray();
            for (int f : felt) {
                if (f < 0 || f > 9999) {
                    throw new IllegalArgumentException(Redact.maskCprLike("felt number " + f + " is outside 0-9999"));
                }
            }
        }
        return new Profile(name == null ? "custom" : name, KIND_CUSTOM, table, felt);
    }

    /** {@link #custom(String, Map, Collection)} named "custom". */
    public static Profile custom(Map<Integer, ? extends Collection<Integer>> records, Collection<Integer> feltnumre) {
        return custom("custom", records, feltnumre);
    }

    private static long mask(int... nos) {
        long m = 0;
        for (int n : nos) {
            m |= 1L << n;
        }
        return m;
    }

    /** {@code full}, {@code minimal}, or the custom profile's name. */
    public String name() {
        return name;
    }

    /** The record types in the table, sorted; {@code null}: every type. */
    public List<Integer> recordTypes() {
        return records == null ? null : List.copyOf(records.keySet());
    }

    /** The permitted felt numbers, sorted; {@code null}: all. */
    public List<Integer> feltnumre() {
        return feltnumre == null ? null : Collections.unmodifiableList(
                java.util.Arrays.stream(feltnumre).boxed().toList());
    }

    /**
     * Whether field {@code no} of {@code recordType} (employer family) may be
     * shown: the engine's answer ({@code eik_profile_fields}), so a built-in
     * profile is never mirrored here.
     */
    public boolean permits(int recordType, int no) {
        long mask = masks.computeIfAbsent(recordType, t -> EindkomstDecoder.profileFields(this, t));
        return no >= 0 && no < 64 && (mask >>> no & 1) == 1;
    }

    /** The profile as the engine's JSON: {@code "full"}, {@code "minimal"} or a table. */
    String toJson() {
        if (kind != KIND_CUSTOM) {
            return "\"" + name + "\"";
        }
        StringBuilder s = new StringBuilder("{\"name\":").append(FilterOptions.jsonString(name)).append(",\"records\":{");
        String sep = "";
        for (Map.Entry<Integer, Long> e : records.entrySet()) {
            s.append(sep).append('"').append(e.getKey()).append("\":[");
            String comma = "";
            for (int no = 0; no < 64; no++) {
                if ((e.getValue() >>> no & 1) == 1) {
                    s.append(comma).append(no);
                    comma = ",";
                }
            }
            s.append(']');
            sep = ",";
        }
        s.append('}');
        if (feltnumre != null) {
            s.append(",\"feltnumre\":").append(java.util.Arrays.toString(feltnumre).replace(" ", ""));
        }
        return s.append('}').toString();
    }

    int kind() {
        return kind;
    }

    TreeMap<Integer, Long> table() {
        return records;
    }

    int[] feltArray() {
        return feltnumre;
    }

    /** The profile's name. */
    @Override
    public String toString() {
        return name;
    }
}
