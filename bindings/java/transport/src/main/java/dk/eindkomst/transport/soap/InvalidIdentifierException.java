package dk.eindkomst.transport.soap;

/**
 * The engine rejected a CPR number or SE-nr of a request; nothing was sent. The message names the
 * field, its position in the request and the engine's finding code, never the value.
 */
public final class InvalidIdentifierException extends SoapException {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final String code;

    public InvalidIdentifierException(String field, int index, String code) {
        super(field + " #" + (index + 1) + " rejected by the engine: " + code, null);
        this.field = field;
        this.code = code;
    }

    /** "CPR" or "SE-nr". */
    public String field() { return field; }

    /** The engine's finding code (e.g. {@code not_digit}). */
    public String code() { return code; }
}
