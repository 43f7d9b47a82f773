package dk.eindkomst;

/**
 * The current record of an {@link EindkomstDecoder}, read in place from the
 * decoder's native batch buffer: no copy and no object per record. It is
 * reused: valid until the decoder moves on ({@link EindkomstDecoder#next()});
 * keep one with {@link #copy()}. Accessors: see {@link AbstractRecord};
 * {@link #feltnummerOrMinus1()} and {@link #amountOre()} allocate nothing.
 */
public final class RecordView extends AbstractRecord {
    RecordView() {}
}
