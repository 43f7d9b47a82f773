package dk.eindkomst;

/**
 * One decoded record, owned: its line's bytes (a copy, ISO-8859-1) with its
 * layout, valid for as long as it is kept. {@link EindkomstDecoder}'s
 * iterator gives these; {@link RecordView#copy()} makes one from the
 * flyweight. Accessors: see {@link AbstractRecord}.
 */
public final class Record extends AbstractRecord {
    private final long line;
    private final int lbNr;
    private final long offset;

    Record(Layout layout, byte[] bytes, long line, int lbNr, long offset, int amountScale, long permitted,
            boolean pseudonymised) {
        this.buf = bytes;
        this.pos = 0;
        this.layout = layout;
        this.line = line;
        this.lbNr = lbNr;
        this.offset = offset;
        this.amountScale = amountScale;
        this.permitted = permitted;
        this.pseudonymAt = pseudonymised ? layout.length() : -1;
    }

    @Override
    public long line() {
        return line;
    }

    @Override
    public int lbNr() {
        return lbNr;
    }

    @Override
    public long offset() {
        return offset;
    }

    /** This record itself (it is already owned). */
    @Override
    public Record copy() {
        return this;
    }
}
