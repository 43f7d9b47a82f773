package dk.eindkomst;

import com.sun.jna.Memory;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** HMAC-SHA-256 pseudonyms of CPR numbers, the same the filter gives. */
public final class Pseudonym {
    private Pseudonym() {}

    /**
     * The pseudonym of {@code cpr} under {@code key} (at least 16 bytes): 16
     * lowercase hex characters, equal to {@link Record#pseudonym()} and the CLI's.
     */
    public static String of(byte[] key, String cpr) {
        FilterOptions.checkKey(key);
        Objects.requireNonNull(cpr, "cpr");
        byte[] c = cpr.getBytes(StandardCharsets.US_ASCII);
        Memory k = new Memory(key.length);
        k.write(0, key, 0, key.length);
        Memory cm = new Memory(Math.max(1, c.length));
        cm.write(0, c, 0, c.length);
        Memory out = new Memory(16);
        NativeLib.check("eik_pseudonymise", NativeLib.eik_pseudonymise(k, key.length, cm, c.length, out));
        return new String(out.getByteArray(0, 16), StandardCharsets.US_ASCII);
    }
}
