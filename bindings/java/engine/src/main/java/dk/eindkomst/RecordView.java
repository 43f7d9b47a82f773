package dk.eindkomst;

/**
 * The current record of an {@link EindkomstDecoder}, read in place from the
 * decoder's buffers (a heap copy of the chunk, made once per chunk, or of the
 * batch's scratch area): no copy per record and no object per record. It is
 * reused: valid until the decoder moves on ({@link EindkomstDecoder#next()});
 * keep one with {@link #copy()}. Accessors: see {@link AbstractRecord};
 * {@link #feltnummerOrMinus1()}, {@link #amountOre()} (once inlined) and
 * {@link #amountOreOr(long)} allocate nothing.
 */
public final class RecordView extends AbstractRecord {
    RecordView() {}
}
