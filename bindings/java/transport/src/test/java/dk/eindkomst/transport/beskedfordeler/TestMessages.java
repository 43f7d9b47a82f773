package dk.eindkomst.transport.beskedfordeler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/** Test messages: the sample file, envelopes around it, and the shared cases of testdata/beskedfordeler. */
public final class TestMessages {
    private TestMessages() {}

    public static final Path ROOT = Path.of(System.getProperty("eindkomst.root"));
    public static final Path CASES = ROOT.resolve("testdata").resolve("beskedfordeler");

    public static byte[] sample() {
        try {
            return Files.readAllBytes(ROOT.resolve("testdata").resolve("sample.txt"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The record types of the sample, in order. */
    public static List<Integer> sampleTypes() {
        List<Integer> types = new ArrayList<>();
        for (String line : new String(sample(), StandardCharsets.ISO_8859_1).split("\n")) types.add(Integer.parseInt(line.substring(7, 11)));
        return types;
    }

    /** The sample with a non-digit in the amount of the 6001 on line 10. */
    public static byte[] damaged() {
        return new String(sample(), StandardCharsets.ISO_8859_1).replace("0000032500000000+", "00000325X0000000+")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    public static String wrapped(byte[] payload) {
        return Base64.getMimeEncoder(76, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(payload);
    }

    /** A Haendelsesbesked valid against Beskedkuvert.xsd, with an ISO-8859-1 Base64 payload (none when null). */
    public static String envelope(String beskedId, String base64) {
        return envelopeWith(beskedId, base64 == null ? "" : "<Base64 encoding=\"ISO-8859-1\" content-type=\"text/plain\">" + base64 + "</Base64>");
    }

    /** A Haendelsesbesked valid against Beskedkuvert.xsd, with {@code beskeddata} as the content of Beskeddata (none when empty). */
    public static String envelopeWith(String beskedId, String beskeddata) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               + "<Haendelsesbesked xmlns=\"urn:oio:besked:kuvert:1.0\" xmlns:sd=\"urn:oio:sagdok:3.0.0\">"
               + "<BeskedId><sd:UUIDIdentifikator>" + beskedId + "</sd:UUIDIdentifikator></BeskedId>"
               + "<BeskedVersion>1.0</BeskedVersion><Beskedkuvert><Filtreringsdata><Beskedtype><sd:UUIDIdentifikator>"
               + "8c3a3f3e-0b0e-4a77-9d6f-2f0a6d1c4e11</sd:UUIDIdentifikator></Beskedtype></Filtreringsdata>"
               + "<Leveranceinformation><TransaktionsId><sd:UUIDIdentifikator>" + UUID.randomUUID()
               + "</sd:UUIDIdentifikator></TransaktionsId></Leveranceinformation></Beskedkuvert>"
               + (beskeddata.isEmpty() ? "" : "<Beskeddata>" + beskeddata + "</Beskeddata>")
               + "</Haendelsesbesked>";
    }

    /** A Base64 element with this encoding attribute (none when null) over {@code payload}. */
    public static String base64(byte[] payload, String encoding) {
        return "<Base64" + (encoding == null ? "" : " encoding=\"" + encoding + "\"") + ">" + wrapped(payload) + "</Base64>";
    }

    /** The REST body around an envelope. */
    public static String modtagBeskedInput(String envelope) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sts:ModtagBeskedInput xmlns:sts=\"urn:oio:sts:1.0.0\">"
               + envelope.replaceFirst("^<\\?xml[^>]*>\\s*", "") + "</sts:ModtagBeskedInput>";
    }

    /** One row of testdata/beskedfordeler/expected.tsv. */
    public record Case(String file, String channel, String outcome, String code, int records, String beskedId, String reason) {
        public byte[] body() {
            try {
                return Files.readAllBytes(CASES.resolve(file));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public static List<Case> cases() throws IOException {
        List<Case> out = new ArrayList<>();
        for (String line : Files.readAllLines(CASES.resolve("expected.tsv"), StandardCharsets.UTF_8)) {
            if (line.startsWith("#") || line.isBlank()) continue;
            String[] f = line.split("\t", -1);
            out.add(new Case(f[0], f[1], f[2], dash(f[3]), Integer.parseInt(f[4]), dash(f[5]), dash(f[6])));
        }
        return out;
    }

    private static String dash(String s) {
        return "-".equals(s) ? null : s;
    }
}
