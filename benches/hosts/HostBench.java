import dk.eindkomst.EindkomstDecoder;
import dk.eindkomst.Field;
import dk.eindkomst.RecordView;
import java.io.FileInputStream;
import java.io.InputStream;
import java.util.List;

/**
 * The Java side of benches/hosts/run.sh: the same two workloads as the native
 * eindkomst/examples/hostbench.rs, through the binding's event cursor and its
 * record view (no object per record).
 *
 *   A FILE: sum the 6001 amounts (øre) per feltnummer: "felt<TAB>øre" lines.
 *   B FILE: every field of every record as a String: "fields N chars M".
 */
public final class HostBench {
    public static void main(String[] args) throws Exception {
        try (InputStream in = new FileInputStream(args[1]);
                EindkomstDecoder d = new EindkomstDecoder(in)) {
            if (args[0].equals("A")) {
                long[] sums = new long[10000];
                boolean[] seen = new boolean[10000];
                while (d.next()) {
                    if (d.isRecord()) {
                        RecordView r = d.record();
                        if (r.recordType() == 6001) {
                            int felt = r.feltnummerOrMinus1();
                            sums[felt] += r.amountOre().getAsLong();
                            seen[felt] = true;
                        }
                    }
                }
                StringBuilder out = new StringBuilder();
                for (int f = 0; f < sums.length; f++) {
                    if (seen[f]) {
                        out.append(f).append('\t').append(sums[f]).append('\n');
                    }
                }
                System.out.print(out);
            } else {
                long fields = 0;
                long chars = 0;
                while (d.next()) {
                    if (d.isRecord()) {
                        RecordView r = d.record();
                        List<Field> fs = r.layout().fields();
                        for (int i = 0, n = fs.size(); i < n; i++) {
                            String s = r.value(fs.get(i).no());
                            fields++;
                            chars += s.length();
                        }
                    }
                }
                System.out.println("fields " + fields + " chars " + chars);
            }
        }
    }
}
