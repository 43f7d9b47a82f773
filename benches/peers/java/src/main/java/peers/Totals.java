package peers;

import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/**
 * The totals every contender prints, in one format (run.sh compares them):
 * {@code records <type> <count>} per record type, then
 * {@code amount <type>[/<feltnummer>] <sum in øre>} per amount field.
 */
final class Totals {
    private final long[] records = new long[10000];
    private final Map<String, Long> amounts = new TreeMap<>();

    void count(int recNr) {
        records[recNr]++;
    }

    /** A sum in kroner (any scale) for a key; null means no record had the amount. */
    void amount(String key, BigDecimal kroner) {
        if (kroner != null) amounts.put(key, kroner.movePointRight(2).longValueExact());
    }

    void print() {
        StringBuilder out = new StringBuilder();
        for (int t = 0; t < records.length; t++) if (records[t] > 0) out.append("records ").append(t).append(' ').append(records[t]).append('\n');
        amounts.forEach((k, v) -> out.append("amount ").append(k).append(' ').append(v).append('\n'));
        System.out.print(out);
        System.out.flush();
    }
}
