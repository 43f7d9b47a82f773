package dk.eindkomst;

/**
 * A call into the native library returned a status other than OK: a bug in
 * this binding or in the engine (e.g. {@code EIK_STATUS_PANIC}), never a
 * problem of the input. Problems of the input are {@link EindkomstException}s
 * or {@link Finding}s.
 */
public final class NativeCallException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final int status;

    NativeCallException(String function, int status, String description) {
        super(function + " failed: " + description + " (status " + status + ")");
        this.status = status;
    }

    /** The {@code eik_status} number. */
    public int status() {
        return status;
    }
}
