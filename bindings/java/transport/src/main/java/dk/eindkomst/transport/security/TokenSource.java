package dk.eindkomst.transport.security;

/** Where the tokens of a {@link TokenSecurity} come from; {@link StsClient} is the real one. */
public interface TokenSource {
    /** A token for {@code entityId} that is valid now. */
    SamlToken token(String entityId) throws StsException;

    /** The holder-of-key of the tokens: messages sent with them are signed with its key. */
    FunctionCertificate certificate();
}
