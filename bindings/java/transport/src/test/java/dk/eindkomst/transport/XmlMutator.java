package dk.eindkomst.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A reproducible mutator of valid captured XML messages for the XML fuzz tests (no Jazzer: see
 * docs/bad-input.md): byte flips, truncation, deleted and duplicated slices, a duplicated element, characters
 * that matter to XML, a huge attribute, synthetic CPRs planted in texts and attributes, and entity tricks (a DTD
 * with an external entity to a canary file and to a loopback canary server, entity expansion, XInclude, a
 * schemaLocation on the canary server). The canaries prove that nothing external is resolved: the file's marker
 * must never come back, and the server must never be connected to.
 */
public final class XmlMutator implements AutoCloseable {
    /** The synthetic CPRs planted (day + 60), with and without the hyphen. */
    public static final List<String> CPRS = List.of("0101604321", "010160-4321", "3112609999", "311260-9999");
    /** What the canary file holds. */
    public static final String MARKER = "XXE-CANARY-5e1d";
    /** The Node and Java transports' rule (Redact.cpr): six digits, an optional hyphen, four digits, no digit either side. */
    public static final Pattern CPR_LIKE = Pattern.compile("(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])");

    private final Random random;
    private final List<byte[]> seeds;
    private final Path canary;
    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();

    public XmlMutator(long seed, List<byte[]> seeds, Path dir) throws IOException {
        this.random = new Random(seed);
        this.seeds = seeds;
        this.canary = Files.writeString(dir.resolve("canary.txt"), MARKER);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    connections.incrementAndGet();
                    s.close();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "xml-fuzz-canary");
        t.setDaemon(true);
        t.start();
    }

    /** Connections the canary server accepted (must stay 0). */
    public int connections() {
        return connections.get();
    }

    /** Whether {@code text} holds a CPR-like run or the canary file's marker. */
    public static String leak(String text) {
        if (text == null) return null;
        var m = CPR_LIKE.matcher(text);
        if (m.find()) return "a CPR-like number (" + text.substring(Math.max(0, m.start() - 40), Math.min(text.length(), m.end() + 40)) + ")";
        for (String c : CPRS) if (text.contains(c)) return "the planted CPR " + c;
        return text.contains(MARKER) ? "the canary file's content" : null;
    }

    /** The next input: a seed with 1-4 mutations. */
    public byte[] next() {
        String s = new String(seeds.get(random.nextInt(seeds.size())), StandardCharsets.ISO_8859_1);
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) s = mutate(s);
        s = s.replace(CANARY_FILE, canary.toUri().toString()).replace(CANARY_HTTP, "http://127.0.0.1:" + server.getLocalPort() + "/x");
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private int at(String s) {
        return s.isEmpty() ? 0 : random.nextInt(s.length() + 1);
    }

    /** A position just after a start tag's name (where an attribute may go), or -1. */
    private int inStartTag(String s) {
        for (int tries = 0; tries < 8; tries++) {
            int lt = s.indexOf('<', at(s));
            if (lt < 0 || lt + 1 >= s.length() || "/?!".indexOf(s.charAt(lt + 1)) >= 0) continue;
            int end = lt + 1;
            while (end < s.length() && " \t\n/>".indexOf(s.charAt(end)) < 0) end++;
            return end;
        }
        return -1;
    }

    /** The text between the prolog and the root element, where a DOCTYPE goes. */
    private int rootStart(String s) {
        int i = s.startsWith("<?xml") ? s.indexOf("?>") + 2 : 0;
        return Math.max(i, 0);
    }

    // Placeholders for the canaries' URLs, replaced after mutating: so the inputs do not depend on the temp
    // directory's name or the port (the same seed gives the same inputs).
    private static final String CANARY_FILE = "@canary-file@";
    private static final String CANARY_HTTP = "@canary-http@";

    private String mutate(String s) {
        String canaryUrl = CANARY_FILE;
        String httpUrl = CANARY_HTTP;
        int p = at(s);
        switch (random.nextInt(12)) {
            case 0: { // byte flips
                if (s.isEmpty()) return s;
                char[] c = s.toCharArray();
                for (int k = 1 + random.nextInt(4); k > 0; k--) c[random.nextInt(c.length)] = (char) random.nextInt(256);
                return new String(c);
            }
            case 1: return s.substring(0, p); // truncation
            case 2: { // a slice deleted
                int q = Math.min(s.length(), p + random.nextInt(64));
                return s.substring(0, p) + s.substring(q);
            }
            case 3: { // an element duplicated (start tag to its end tag, when found)
                int lt = s.indexOf('<', p);
                if (lt < 0 || lt + 1 >= s.length() || "/?!".indexOf(s.charAt(lt + 1)) >= 0) return s;
                int nameEnd = lt + 1;
                while (nameEnd < s.length() && " \t\n/>".indexOf(s.charAt(nameEnd)) < 0) nameEnd++;
                String close = "</" + s.substring(lt + 1, nameEnd) + ">";
                int end = s.indexOf(close, nameEnd);
                if (end < 0) return s;
                end += close.length();
                return s.substring(0, end) + s.substring(lt, end) + s.substring(end);
            }
            case 4: { // characters that matter to XML
                String[] bits = {"<", ">", "&", "&amp;", "&#0;", "&#x110000;", "]]>", "<![CDATA[", "\"", "'", "=", "</", "/>",
                                 "<?pi x?>", "<!-- -->", "\u0000", "\u00ff", "\r\n", "xmlns=\"\"", "xmlns:sd=\"urn:x\""};
                return s.substring(0, p) + bits[random.nextInt(bits.length)] + s.substring(p);
            }
            case 5: { // a huge attribute
                int t = inStartTag(s);
                if (t < 0) return s;
                return s.substring(0, t) + " big=\"" + "A".repeat(1 + random.nextInt(200_000)) + "\"" + s.substring(t);
            }
            case 6: { // a CPR planted: in text, in an attribute, or instead of a text
                String cpr = CPRS.get(random.nextInt(CPRS.size()));
                int t = inStartTag(s);
                if (random.nextBoolean() && t >= 0) return s.substring(0, t) + " x=\"" + cpr + "\"" + s.substring(t);
                // A value (a text that is not only blanks: ids, numbers, times, Base64) replaced, so that
                // refusals which quote a value (a schema validator's datatype errors) get to quote a CPR.
                List<int[]> values = new java.util.ArrayList<>();
                var v = java.util.regex.Pattern.compile(">([^<]*[^<\\s][^<]*)<").matcher(s);
                while (v.find()) values.add(new int[] {v.start(1), v.end(1)});
                if (values.isEmpty()) return s.substring(0, p) + cpr + s.substring(p);
                int[] at = values.get(random.nextInt(values.size()));
                return s.substring(0, at[0]) + (random.nextBoolean() ? cpr : "urn:cpr:" + cpr) + s.substring(at[1]);
            }
            case 7: { // DTD with external entities (file and loopback), used in the text
                int r = rootStart(s);
                String dtd = "<!DOCTYPE r [<!ENTITY f SYSTEM \"" + canaryUrl + "\"><!ENTITY h SYSTEM \"" + httpUrl
                             + "\"><!ENTITY % p SYSTEM \"" + httpUrl + "\">%p;]>";
                String withDtd = s.substring(0, r) + dtd + s.substring(r);
                int gt = withDtd.indexOf('>', r + dtd.length() + random.nextInt(Math.max(1, withDtd.length() - r - dtd.length())));
                if (gt < 0) return withDtd;
                return withDtd.substring(0, gt + 1) + "&f;&h;" + withDtd.substring(gt + 1);
            }
            case 8: { // entity expansion (billion laughs)
                int r = rootStart(s);
                StringBuilder d = new StringBuilder("<!DOCTYPE r [<!ENTITY a0 \"lol\">");
                for (int i = 1; i < 10; i++) d.append("<!ENTITY a").append(i).append(" \"").append(("&a" + (i - 1) + ";").repeat(10)).append("\">");
                d.append("]>");
                int gt = s.indexOf('>', Math.max(r, p));
                String body = gt < 0 ? s : s.substring(0, gt + 1) + "&a9;" + s.substring(gt + 1);
                return body.substring(0, r) + d + body.substring(r);
            }
            case 9: { // XInclude of the canary file, schemaLocation on the canary server
                int t = inStartTag(s);
                if (t < 0) return s;
                int gt = s.indexOf('>', t);
                if (gt < 0) return s;
                return s.substring(0, t) + " xmlns:xi=\"http://www.w3.org/2001/XInclude\""
                       + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"urn:oio:besked:kuvert:1.0 "
                       + httpUrl + "\"" + s.substring(t, gt + 1) + "<xi:include href=\"" + canaryUrl + "\" parse=\"text\"/>" + s.substring(gt + 1);
            }
            case 10: { // a slice of another seed spliced in
                String o = new String(seeds.get(random.nextInt(seeds.size())), StandardCharsets.ISO_8859_1);
                int a = at(o);
                int b = Math.min(o.length(), a + random.nextInt(400));
                return s.substring(0, p) + o.substring(a, b) + s.substring(p);
            }
            default: { // a slice repeated
                int q = Math.min(s.length(), p + random.nextInt(200));
                return s.substring(0, q) + s.substring(p, q).repeat(1 + random.nextInt(20)) + s.substring(q);
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
