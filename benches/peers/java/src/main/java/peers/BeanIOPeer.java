package peers;

import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.beanio.BeanReader;
import org.beanio.BeanReaderErrorHandlerSupport;
import org.beanio.InvalidRecordException;
import org.beanio.StreamFactory;

/**
 * The mapping-library peer: BeanIO with every record type declared in
 * eindkomst-beanio.xml (typed fields, required fields, code and sign patterns,
 * record lengths), read into maps, summed like the other contenders.
 *
 * Usage: java peers.BeanIOPeer FILE
 */
public final class BeanIOPeer {
    public static void main(String[] args) throws Exception {
        StreamFactory factory = StreamFactory.newInstance();
        factory.load(BeanIOPeer.class.getResourceAsStream("/eindkomst-beanio.xml"));
        Totals totals = new Totals();
        Map<String, BigDecimal> sums = new HashMap<>();
        long[] rejected = {0};
        BeanReader in = factory.createReader("eindkomst",
                new InputStreamReader(new FileInputStream(args[0]), StandardCharsets.ISO_8859_1));
        in.setErrorHandler(new BeanReaderErrorHandlerSupport() {
            @Override
            public void invalidRecord(InvalidRecordException e) {
                if (rejected[0]++ < 5) System.err.println("beanio: rejected line " + e.getRecordContext().getLineNumber()
                        + ": " + e.getRecordContext().getFieldErrors() + e.getRecordContext().getRecordErrors());
            }
        });
        Object o;
        while ((o = in.read()) != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> r = (Map<String, Object>) o;
            String type = in.getRecordName().substring(1);
            totals.count(Integer.parseInt(type));
            switch (type) {
                case "6001": add(sums, "6001/" + r.get("feltnummer"), r.get("beloeb"), r.get("fortegn")); break;
                case "3101": add(sums, "3101/" + r.get("feltnummer"), r.get("beloeb"), r.get("fortegn")); break;
                case "6102": case "6202": add(sums, type, r.get("beloebFeriepenge"), r.get("fortegnBeloeb")); break;
                case "6111": add(sums, type, r.get("beloeb"), r.get("fortegnBeloeb")); break;
                default:
            }
        }
        in.close();
        sums.forEach(totals::amount);
        totals.print();
        System.err.printf("beanio: %d rejected%n", rejected[0]);
    }

    /** Amounts are 10+6 digits: BeanIO reads the digits, the scale and the sign are applied here. */
    private static void add(Map<String, BigDecimal> sums, String key, Object digits, Object sign) {
        if (digits == null) return;
        BigDecimal v = ((BigDecimal) digits).movePointLeft(6);
        sums.merge(key, "-".equals(sign) ? v.negate() : v, BigDecimal::add);
    }
}
