package dk.eindkomst;

import java.util.Map;

/**
 * What a decoder has seen. Invariant: {@code lines == decoded + rejected + raw}.
 *
 * @param lines lines seen (every line except one blank line at the very end)
 * @param decoded records decoded (before the filter)
 * @param rejected lines rejected
 * @param warnings warnings reported
 * @param errors stream errors reported (not counting rejections)
 * @param suppressed findings beyond the engine's per-line limit: counted, not reported
 * @param bytes bytes of record data consumed (after Base64 decoding)
 * @param rejectedUntyped rejected lines whose record type could not be read
 * @param byType per record type seen: {decoded, rejected}, in layout order
 * @param raw lines with an unknown record key passed through ({@link Options#unknownRaw(boolean)})
 */
public record Counts(long lines, long decoded, long rejected, long warnings, long errors, long suppressed,
        long bytes, long rejectedUntyped, Map<Integer, TypeCount> byType, long raw) {

    /**
     * Accounting for one record type.
     *
     * @param decoded lines of this type decoded
     * @param rejected lines of this type rejected
     */
    public record TypeCount(long decoded, long rejected) {}
}
