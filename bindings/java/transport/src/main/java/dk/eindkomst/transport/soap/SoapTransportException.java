package dk.eindkomst.transport.soap;

/** The call did not produce a usable answer: I/O error, timeout, unexpected HTTP status or response shape. */
public final class SoapTransportException extends SoapException {
    private static final long serialVersionUID = 1L;
    SoapTransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
