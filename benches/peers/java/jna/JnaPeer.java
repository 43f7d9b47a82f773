package peers;

import dk.eindkomst.EindkomstDecoder;
import dk.eindkomst.Record;
import java.io.FileInputStream;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * eindkomst from Java through its JNA binding (bindings/java/engine): the engine
 * decodes and validates, Java iterates the Records and sums amountOre() per
 * field number. Compiled by run.sh only when the binding's jar is built (it is
 * not part of the Maven project, so the other Java peers build without it).
 *
 * Usage: java peers.JnaPeer FILE
 */
public final class JnaPeer {
    public static void main(String[] args) throws Exception {
        Totals totals = new Totals();
        Map<Integer, long[]> sums = new HashMap<>(); // type * 10000 + Feltnummer -> øre
        try (EindkomstDecoder decoder = new EindkomstDecoder(new FileInputStream(args[0]))) {
            for (Record r : decoder) {
                int type = r.recordType();
                totals.count(type);
                OptionalLong ore = r.amountOre();
                if (ore.isPresent()) {
                    int felt = type == 3101 || type == 6001 ? r.feltnummer().orElse(0) : 0;
                    sums.computeIfAbsent(type * 10000 + felt, k -> new long[1])[0] += ore.getAsLong();
                }
            }
            long rejected = decoder.counts().rejected();
            System.err.printf("jna: %d rejected%n", rejected);
            if (rejected > 0) System.exit(1);
        }
        sums.forEach((k, v) -> {
            int type = k / 10000;
            String key = type == 3101 || type == 6001 ? String.format("%d/%04d", type, k % 10000) : Integer.toString(type);
            totals.amount(key, BigDecimal.valueOf(v[0], 2));
        });
        totals.print();
    }
}
