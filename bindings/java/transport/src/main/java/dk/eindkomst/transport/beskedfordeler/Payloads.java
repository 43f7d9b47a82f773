package dk.eindkomst.transport.beskedfordeler;

import dk.eindkomst.EindkomstDecoder;
import dk.eindkomst.Finding;
import dk.eindkomst.FindingType;
import dk.eindkomst.Options;
import dk.eindkomst.Record;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Turns the {@code Base64} payloads of a message into records, honouring each payload's {@code encoding}
 * attribute (values from KOMBIT's BeskeddataBase64ver.2.00.xsd). The engine reads ISO-8859-1 bytes, so:
 * <ul>
 * <li>{@code ISO-8859-1} and {@code Binary}: the Base64 text goes to the engine as it is (Base64 mode), so a
 *     Base64 error carries the engine's offset. Assumption: {@code Binary} means "bytes, no text encoding
 *     claimed"; the bytes are the record file as SKAT writes it (ISO-8859-1).</li>
 * <li>{@code UTF-8}, {@code ASCII}, {@code Windows-1252}: the Base64 is decoded here (strictly), the bytes are
 *     decoded in that encoding and written in ISO-8859-1 for the engine. Malformed bytes are
 *     {@code bad_encoding}; a character that ISO-8859-1 cannot hold (e.g. "€") is {@code not_latin1}, with the
 *     byte offset in the decoded payload.</li>
 * <li>{@code UTF-16}, {@code UTF-32}, another value or none: {@code unknown_encoding} (a record file is
 *     single-byte text; the attribute is required by the schema).</li>
 * </ul>
 * A payload the engine rejects (any rejected line or stream error) rejects the message with the finding.
 */
final class Payloads {
    private Payloads() {}

    static final String SUPPORTED = "ISO-8859-1, UTF-8, ASCII, Windows-1252, Binary";

    /** Decodes every payload into {@code records} / {@code warnings}; throws at the first payload that fails. */
    static void decode(List<Envelope.Payload> payloads, List<Record> records, List<Finding> warnings) throws Rejection {
        if (payloads.isEmpty()) throw new Rejection("no_payload", "no Beskeddata/Base64 element");
        for (int i = 0; i < payloads.size(); i++) {
            String where = payloads.size() > 1 ? "payload " + (i + 1) + ": " : "";
            try {
                decodeOne(payloads.get(i), records, warnings);
            } catch (Rejection r) {
                throw new Rejection(r.code, where + r.getMessage());
            }
        }
    }

    private static void decodeOne(Envelope.Payload p, List<Record> records, List<Finding> warnings) throws Rejection {
        String enc = p.encoding() == null ? null : p.encoding().trim().toUpperCase(Locale.ROOT);
        if (enc == null) throw new Rejection("unknown_encoding", "Base64 element has no encoding attribute (supported: " + SUPPORTED + ")");
        switch (enc) {
            case "ISO-8859-1", "BINARY" -> engine(p.base64().getBytes(StandardCharsets.ISO_8859_1), true, records, warnings);
            case "UTF-8" -> engine(latin1(base64(p.base64()), StandardCharsets.UTF_8, enc), false, records, warnings);
            case "ASCII" -> engine(latin1(base64(p.base64()), StandardCharsets.US_ASCII, enc), false, records, warnings);
            case "WINDOWS-1252" -> engine(latin1(base64(p.base64()), Charset.forName("windows-1252"), enc), false, records, warnings);
            default -> throw new Rejection("unknown_encoding", "encoding \"" + printable(p.encoding()) + "\" is not supported (supported: " + SUPPORTED + ")");
        }
    }

    private static void engine(byte[] input, boolean base64, List<Record> records, List<Finding> warnings) throws Rejection {
        try (EindkomstDecoder d = new EindkomstDecoder(new ByteArrayInputStream(input), Options.lenient().base64(base64))) {
            d.forEach(records::add);
            for (Finding f : d.findings()) {
                if (f.type() == FindingType.WARNING) warnings.add(f);
                else throw new Rejection(f.code(), f.type().label() + ": " + f);
            }
        }
    }

    /** Strict Base64 (XML whitespace removed first); the offset of the first bad character is in the text without whitespace. */
    private static byte[] base64(String text) throws Rejection {
        String compact = text.replaceAll("[ \t\r\n]", "");
        try {
            return Base64.getDecoder().decode(compact);
        } catch (IllegalArgumentException e) {
            int at = 0;
            while (at < compact.length() && isBase64Char(compact.charAt(at))) at++;
            throw new Rejection("invalid_base64", at < compact.length()
                    ? "invalid Base64 character at offset " + at + " of the Base64 text (whitespace removed)"
                    : "Base64 text has a wrong length or padding (" + compact.length() + " characters)");
        }
    }

    private static boolean isBase64Char(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=';
    }

    /** {@code bytes} read in {@code from}, written in ISO-8859-1; malformed input and characters above U+00FF are rejected. */
    static byte[] latin1(byte[] bytes, Charset from, String name) throws Rejection {
        CharsetDecoder dec = from.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer chars = CharBuffer.allocate(bytes.length);
        CoderResult r = dec.decode(in, chars, true);
        if (r.isError()) {
            throw new Rejection("bad_encoding", "byte offset " + in.position() + " of the payload is not valid " + name);
        }
        dec.flush(chars);
        chars.flip();
        byte[] out = new byte[chars.remaining()];
        for (int i = 0; i < out.length; i++) {
            char c = chars.get(i);
            if (c > 0xFF) {
                String before = new String(chars.array(), 0, i);
                int cp = Character.isHighSurrogate(c) && i + 1 < out.length ? Character.toCodePoint(c, chars.get(i + 1)) : c;
                throw new Rejection("not_latin1", String.format("character U+%04X at byte offset %d (line %d) of the %s payload cannot be"
                        + " written in ISO-8859-1, which the records use", cp, before.getBytes(from).length,
                        before.chars().filter(ch -> ch == '\n').count() + 1, name));
            }
            out[i] = (byte) c;
        }
        return out;
    }

    private static String printable(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s.replaceAll("\\p{Cntrl}", "?");
    }
}
