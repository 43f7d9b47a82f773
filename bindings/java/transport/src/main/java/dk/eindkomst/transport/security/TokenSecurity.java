package dk.eindkomst.transport.security;

import dk.eindkomst.transport.soap.SoapSecurity;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * WS-Security for Serviceplatformen's token policy, on every request: a {@code wsse:Security} header with a
 * {@code wsu:Timestamp}, the SAML token for the service's entity id (from the STS), a SecurityTokenReference
 * to it, and a signature with the token's holder-of-key (the function certificate) over the Timestamp, Body,
 * every WS-Addressing header, {@code sbf:Framework}, and the token itself (STR-Transform): exclusive c14n,
 * RSA-SHA256, SHA-256. Answers must be signed by the service's certificate (see {@link #verifyAnswer}).
 * <p>
 * Assumption: the token is signed through an STR-Transform reference, as the public clients that call
 * Serviceplatformen with tokens do (Apache CXF; itk-dev/serviceplatformen); KOMBIT's policy only requires it
 * to be a signed supporting token.
 */
public final class TokenSecurity implements SoapSecurity {
    private final TokenSource tokens;
    private final String entityId;
    private final X509Certificate serviceCertificate;
    private final Clock clock;

    /**
     * @param tokens             the STS client (or another source)
     * @param entityId           the service's entity id: the token's AppliesTo/audience
     * @param serviceCertificate the certificate Serviceplatformen signs its answers with (per environment)
     */
    public TokenSecurity(TokenSource tokens, String entityId, X509Certificate serviceCertificate) {
        this(tokens, entityId, serviceCertificate, Clock.systemUTC());
    }

    public TokenSecurity(TokenSource tokens, String entityId, X509Certificate serviceCertificate, Clock clock) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.entityId = Objects.requireNonNull(entityId, "entityId");
        this.serviceCertificate = Objects.requireNonNull(serviceCertificate, "serviceCertificate");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public byte[] secure(byte[] envelope) throws Exception {
        SamlToken token = tokens.token(entityId);
        Document doc = Dom.parse(envelope);
        Element env = doc.getDocumentElement();
        Element header = Dom.child(env, Dom.SOAP11, "Header");
        Element body = Dom.child(env, Dom.SOAP11, "Body");
        if (header == null || body == null) throw new IllegalArgumentException("not a SOAP 1.1 envelope with Header and Body");
        List<String> parts = new ArrayList<>();
        parts.add(Signatures.id(body));
        for (Element h : Dom.children(header)) {
            if (Dom.WSA.equals(h.getNamespaceURI()) || Dom.is(h, Dom.SBF, "Framework")) parts.add(Signatures.id(h));
        }
        Element security = Dom.add(header, Dom.WSSE, "wsse:Security", null);
        security.setAttributeNS(Dom.SOAP11, env.getPrefix() + ":mustUnderstand", "1");
        parts.add(0, Signatures.id(Signatures.timestamp(security, clock.instant())));
        security.appendChild(doc.importNode(Dom.parse(token.xml().getBytes(StandardCharsets.UTF_8)).getDocumentElement(), true));
        Element str = tokenReference(doc, token);
        security.appendChild(str);
        return Signatures.sign(doc, parts, List.of(Signatures.id(str)), tokens.certificate().key(), d -> tokenReference(d, token));
    }

    /** {@code <wsse:SecurityTokenReference wsse11:TokenType=SAMLV2.0><wsse:KeyIdentifier ValueType=SAMLID>ID}. */
    private static Element tokenReference(Document doc, SamlToken token) {
        Element str = doc.createElementNS(Dom.WSSE, "wsse:SecurityTokenReference");
        str.setAttributeNS(Dom.WSSE11, "wsse11:TokenType", Dom.SAML2_TOKEN);
        Element ki = Dom.add(str, Dom.WSSE, "wsse:KeyIdentifier", token.id());
        ki.setAttribute("ValueType", Dom.SAML_ID);
        return str;
    }

    @Override
    public void verifyAnswer(byte[] answer, boolean fault) throws GeneralSecurityException {
        Signatures.verifyAnswer(answer, serviceCertificate, clock.instant(), fault);
    }
}
