package dk.eindkomst.transport.soap;

/**
 * WS-Security failed: no token could be had from the STS, the request could not be signed, or the answer's
 * signature was missing or did not verify against the service's certificate (then the answer is not used).
 */
public final class SoapSecurityException extends SoapException {
    private static final long serialVersionUID = 1L;

    SoapSecurityException(String message, Throwable cause) {
        super(message, cause);
    }
}
