package dk.eindkomst.transport.soap;

/**
 * Hook that turns the finished, unsigned envelope into the one sent: for Serviceplatformen's token model
 * it adds {@code wsse:Security} with the SAML holder-of-key assertion, a timestamp and the signature over
 * Body and the WS-Addressing/Framework headers (usually done with a WS-Stack such as WSS4J).
 */
@FunctionalInterface
public interface SoapSecurity {
    /** Returns the envelope to send. */
    byte[] secure(byte[] envelope) throws Exception;
}
