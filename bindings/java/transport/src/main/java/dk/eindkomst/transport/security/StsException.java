package dk.eindkomst.transport.security;

/** No token: the STS refused (its fault reason is in the message), was unreachable, or answered nonsense. */
public final class StsException extends Exception {
    private static final long serialVersionUID = 1L;

    public StsException(String message, Throwable cause) {
        super(message, cause);
    }
}
