package dk.eindkomst;

import java.nio.ByteBuffer;

/**
 * The current record of an {@link EindkomstDecoder}, read in place from the
 * decoder's buffers (a heap copy of the chunk, made once per chunk, or of the
 * batch's scratch area): no copy per record and no object per record. It is
 * reused: valid until the decoder moves on ({@link EindkomstDecoder#next()});
 * keep one with {@link #copy()}. Accessors: see {@link AbstractRecord};
 * {@link #feltnummerOrMinus1()}, {@link #amountOre()} (once inlined) and
 * {@link #amountOreOr(long)} allocate nothing. Line, Lb_nr and offset are read
 * from the decoder's event array when asked, not copied for every record.
 */
public final class RecordView extends AbstractRecord {
    /** The decoder's event array, and where the current record's event starts in it. */
    ByteBuffer events;
    int event;

    RecordView() {}

    @Override
    public long line() {
        return events.getLong(event + Abi.EVENT_LINE);
    }

    @Override
    public int lbNr() {
        return events.getInt(event + Abi.EVENT_LB_NR);
    }

    @Override
    public long offset() {
        return events.getLong(event + Abi.EVENT_OFFSET);
    }
}
