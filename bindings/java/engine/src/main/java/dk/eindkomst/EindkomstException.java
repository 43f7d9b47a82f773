package dk.eindkomst;

import java.util.OptionalInt;

/**
 * Strict mode met a rejected line or a stream error. Carries the
 * {@link Finding} with its positions; the message holds no field contents
 * (no CPR number).
 */
public final class EindkomstException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Finding finding;

    EindkomstException(Finding finding) {
        super(finding.type().label() + ": " + finding);
        this.finding = finding;
    }

    /** The finding that stopped the decoder. */
    public Finding finding() {
        return finding;
    }

    /** What went wrong. */
    public FindingKind kind() {
        return finding.kind();
    }

    /** Physical line, 1-based. */
    public long line() {
        return finding.line();
    }

    /** The line's Lb_nr, when it could be read. */
    public OptionalInt lbNr() {
        return finding.lbNr();
    }

    /** The line's record type, or 0 when unknown. */
    public int record() {
        return finding.record();
    }

    /** The field number, or 0 when no field is named. */
    public int fieldNo() {
        return finding.fieldNo();
    }

    /** The field's name, or "". */
    public String fieldName() {
        return finding.fieldName();
    }

    /** 0-based byte offset in the stream of the offending byte or field. */
    public long offset() {
        return finding.offset();
    }
}
