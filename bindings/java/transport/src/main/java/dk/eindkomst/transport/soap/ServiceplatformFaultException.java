package dk.eindkomst.transport.soap;

import dk.eindkomst.transport.Redact;
import java.util.List;

/**
 * A SOAP 1.1 fault ({@code soap:Fault}), usually with a {@code spf:ServiceplatformFault} detail listing
 * platform errors.
 */
public final class ServiceplatformFaultException extends SoapException {
    private static final long serialVersionUID = 1L;
    /** One {@code ErrorList/Error} of a ServiceplatformFault. */
    public record PlatformError(String errorCode, String errorText) {}

    private final int httpStatus;
    private final String faultCode;
    private final String faultString;
    private final transient List<PlatformError> errors;

    ServiceplatformFaultException(int httpStatus, String faultCode, String faultString, List<PlatformError> errors) {
        // All of it masked, codes too: every part is the peer's text (found by AnswerFuzzTest: a faultcode).
        super(Redact.cpr("SOAP fault " + faultCode + " (HTTP " + httpStatus + "): " + faultString
                + errors.stream().map(e -> " [" + e.errorCode() + " " + e.errorText() + "]").reduce("", String::concat)),
              null);
        this.httpStatus = httpStatus;
        this.faultCode = faultCode;
        this.faultString = faultString;
        this.errors = List.copyOf(errors);
    }

    public int httpStatus() { return httpStatus; }

    /** {@code faultcode}, e.g. {@code soap:Server}. */
    public String faultCode() { return faultCode; }

    /** {@code faultstring} as sent. */
    public String faultString() { return faultString; }

    /** The ServiceplatformFault errors; empty when the fault had no such detail. */
    public List<PlatformError> errors() { return errors; }
}
