package dk.eindkomst.transport.soap;

/**
 * A CPR number or SE-nr of a request was rejected before anything was sent: by the engine (a finding code
 * such as {@code not_digit}) or by SKAT's schema type ({@code not_a_date}). The message names the field, its
 * position in the request, who rejected it and the code, never the value.
 */
public final class InvalidIdentifierException extends SoapException {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final String code;

    public InvalidIdentifierException(String field, int index, String code) {
        this(field, index, code, "the engine");
    }

    /** Rejected by {@code by} (e.g. "SKAT's PersonCivilRegistrationIdentifierType"). */
    public InvalidIdentifierException(String field, int index, String code, String by) {
        super(field + " #" + (index + 1) + " rejected by " + by + ": " + code, null);
        this.field = field;
        this.code = code;
    }

    /** "CPR" or "SE-nr". */
    public String field() { return field; }

    /** The engine's finding code (e.g. {@code not_digit}), or {@code not_a_date} from SKAT's CPR type. */
    public String code() { return code; }
}
