package dk.eindkomst;

import java.nio.charset.StandardCharsets;

/**
 * A line whose record key has no layout, passed through as it stands
 * ({@link Options#unknownRaw(boolean)}), so it can be decoded later once its
 * layout is known. Its bytes may hold personal data: never log them.
 *
 * @param line physical line, 1-based
 * @param offset byte offset of the line in the (decoded) stream
 * @param key the record key as it stands
 * @param bytes the whole line, ISO-8859-1, without terminator
 */
public record RawLine(long line, long offset, String key, byte[] bytes) {
    /** The line as text (ISO-8859-1). */
    public String text() {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** {@code RawLine 150 line 4}: no contents. */
    @Override
    public String toString() {
        return "RawLine " + key + " line " + line;
    }
}
