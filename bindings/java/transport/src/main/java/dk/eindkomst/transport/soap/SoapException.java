package dk.eindkomst.transport.soap;

/** Base of everything a SOAP call can fail with. Messages never hold CPR numbers. */
public abstract class SoapException extends Exception {
    private static final long serialVersionUID = 1L;
    protected SoapException(String message, Throwable cause) {
        super(message, cause);
    }
}
