package dk.eindkomst.transport.soap;

/**
 * WS-Security of a service: turns the finished, unsigned envelope into the one sent and checks the answer.
 * For Serviceplatformen use {@link dk.eindkomst.transport.security.TokenSecurity} (STS token, signature over
 * Body and the WS-Addressing/Framework headers, signed answers).
 */
public interface SoapSecurity {
    /** Returns the envelope to send. */
    byte[] secure(byte[] envelope) throws Exception;

    /**
     * Throws when {@code answer} (the raw HTTP body) is not signed as the service must sign it;
     * {@code fault} tells that it holds a {@code soap:Fault}.
     */
    void verifyAnswer(byte[] answer, boolean fault) throws Exception;
}
