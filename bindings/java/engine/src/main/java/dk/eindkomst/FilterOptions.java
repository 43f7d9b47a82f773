package dk.eindkomst;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Dataafgrænsning: which records and fields a decoder passes on (see
 * docs/filtering.md). Immutable; made with {@link #builder()}:
 *
 * <pre>{@code
 * FilterOptions filter = FilterOptions.builder()
 *         .recordTypes(6000, 6001).feltnumre(13, 16)
 *         .period(Period.lastMonths(3, LocalDate.now()))
 *         .profile(Profile.MINIMAL)
 *         .build();
 * try (EindkomstDecoder d = EindkomstDecoder.builder(in).filter(filter).build()) { ... }
 * }</pre>
 *
 * <p>The decoder then yields only the kept records, projected by the profile
 * (forbidden fields are blanks in the line and absent from
 * {@link Record#fields()}), with the CPR replaced by its pseudonym when a key
 * is set. A set not given does not restrict; an empty set keeps nothing of
 * its dimension. Order and repeats do not matter. Errors never name a CPR.
 */
public final class FilterOptions {
    /** Shortest pseudonymisation key accepted, as the CLI's {@code --pseudonymise-key-file}. */
    public static final int MIN_KEY_LENGTH = 16;

    private final byte[] cprs; // n × 10 ASCII digits, sorted; null: any
    private final int[] seNrs;
    private final int[] recordTypes;
    private final int[] feltnumre;
    private final Period period;
    private final Profile profile;
    private final byte[] pseudonymKey;

    private FilterOptions(Builder b) {
        cprs = b.cprs == null ? null : String.join("", b.cprs).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        seNrs = b.seNrs;
        recordTypes = b.recordTypes;
        feltnumre = b.feltnumre;
        period = b.period;
        profile = b.profile;
        pseudonymKey = b.pseudonymKey;
    }

    /** A builder with no restriction, {@link Profile#FULL} and no pseudonymisation. */
    /**
     * The filter as the engine's JSON text ({@code FilterSpec}, the one shape
     * of every face: docs/filtering.md), without the key (which goes to the
     * engine apart). It holds the CPR numbers: never log it.
     */
    public String toJson() {
        StringBuilder s = new StringBuilder("{");
        String sep = "";
        if (cprs != null) {
            s.append("\"cprs\":[");
            for (int i = 0; i < cprs.length / 10; i++) {
                s.append(i > 0 ? "," : "").append('"').append(new String(cprs, i * 10, 10, java.nio.charset.StandardCharsets.US_ASCII)).append('"');
            }
            s.append(']');
            sep = ",";
        }
        if (seNrs != null) {
            s.append(sep).append("\"se_nrs\":").append(Arrays.toString(seNrs).replace(" ", ""));
            sep = ",";
        }
        if (recordTypes != null) {
            s.append(sep).append("\"record_types\":").append(Arrays.toString(recordTypes).replace(" ", ""));
            sep = ",";
        }
        if (feltnumre != null) {
            s.append(sep).append("\"feltnumre\":").append(Arrays.toString(feltnumre).replace(" ", ""));
            sep = ",";
        }
        if (period != null) {
            s.append(sep).append("\"period\":{\"from\":\"").append(period.from()).append("\",\"to\":\"").append(period.to()).append("\"}");
            sep = ",";
        }
        if (profile != null) {
            s.append(sep).append("\"profile\":").append(profile.toJson());
        }
        return s.append('}').toString();
    }

    /** {@code s} as a JSON string literal. */
    static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** No restriction at all (every record, unchanged). */
    public static FilterOptions none() {
        return builder().build();
    }

    static void checkKey(byte[] key) {
        if (key == null) {
            throw new NullPointerException("key");
        }
        if (key.length < MIN_KEY_LENGTH) {
            throw new IllegalArgumentException("a pseudonymisation key needs at least " + MIN_KEY_LENGTH + " bytes");
        }
    }

    byte[] key() {
        return pseudonymKey;
    }

    /** The income period, or {@code null}: any. */
    public Period period() {
        return period;
    }

    /** The profile. */
    public Profile profile() {
        return profile;
    }

    /** Whether CPR numbers are replaced by pseudonyms. */
    public boolean pseudonymises() {
        return pseudonymKey != null;
    }

    /** Builds {@link FilterOptions}; each method replaces what it sets. */
    public static final class Builder {
        private List<String> cprs;
        private int[] seNrs;
        private int[] recordTypes;
        private int[] feltnumre;
        private Period period;
        private Profile profile = Profile.FULL;
        private byte[] pseudonymKey;

        private Builder() {}

        /**
         * Persons to keep (2101, 6000, 4101 with a CPR): 10 digits, a hyphen
         * after the sixth allowed. A person's records go with their 6000.
         *
         * @throws IllegalArgumentException a value that is not a CPR number (the message names none)
         */
        public Builder cprs(Collection<String> cprs) {
            if (cprs == null) {
                this.cprs = null;
                return this;
            }
            TreeSet<String> set = new TreeSet<>();
            for (String c : cprs) {
                String d = c == null ? "" : c.strip();
                if (d.length() == 11 && d.charAt(6) == '-') {
                    d = d.substring(0, 6) + d.substring(7);
                }
                if (d.length() != 10 || !d.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                    throw new IllegalArgumentException("a CPR number is not 10 digits (DDMMYYSSSS or DDMMYY-SSSS)");
                }
                set.add(d);
            }
            this.cprs = new ArrayList<>(set);
            return this;
        }

        /** {@link #cprs(Collection)} of these. */
        public Builder cprs(String... cprs) {
            return cprs(Arrays.asList(cprs));
        }

        /** Employers to keep (2001 {@code Virksomhed_SE_nr}). */
        public Builder seNrs(int... seNrs) {
            this.seNrs = sorted(seNrs, "SE-nr", 99_999_999);
            return this;
        }

        /** Record types to keep; the headers (1000, 2001, 5000, 6000) of kept records pass too. */
        public Builder recordTypes(int... types) {
            this.recordTypes = sorted(types, "record type", 9999);
            return this;
        }

        /** Felt numbers to keep ({@code Feltnummer} of 3101, 6001-6005); records without one are not affected. */
        public Builder feltnumre(int... feltnumre) {
            this.feltnumre = sorted(feltnumre, "felt number", 9999);
            return this;
        }

        /** The income period a record must overlap; {@code null}: any. */
        public Builder period(Period period) {
            this.period = period;
            return this;
        }

        /** Permitted record types and fields (default {@link Profile#FULL}). */
        public Builder profile(Profile profile) {
            this.profile = profile == null ? Profile.FULL : profile;
            return this;
        }

        /**
         * Pseudonymisation key (at least 16 bytes; copied): the CPR field is
         * blanked and {@link Record#pseudonym()} takes its place. {@code null}:
         * no pseudonymisation. Keep it secret; the same key gives the same
         * pseudonyms.
         */
        public Builder pseudonymKey(byte[] key) {
            if (key != null) {
                checkKey(key);
            }
            this.pseudonymKey = key == null ? null : key.clone();
            return this;
        }

        /** The options. */
        public FilterOptions build() {
            return new FilterOptions(this);
        }

        private static int[] sorted(int[] values, String what, int max) {
            if (values == null) {
                return null;
            }
            for (int v : values) {
                if (v < 0 || v > max) {
                    throw new IllegalArgumentException(Redact.maskCprLike(what + " " + v + " is outside 0-" + max));
                }
            }
            return Arrays.stream(values).sorted().distinct().toArray();
        }
    }
}
