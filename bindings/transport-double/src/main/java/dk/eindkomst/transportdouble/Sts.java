package dk.eindkomst.transportdouble;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * KOMBIT's STS "Adgangsstyring for systemer", WS-Trust 1.3 Issue over SOAP 1.2 (the certificatemixed endpoint
 * of KOMBIT's samples): the request must be signed by a certificate of the test CA carried as
 * BinarySecurityToken (exclusive c14n, RSA-SHA256, SHA-256; Timestamp, Body, the WS-Addressing headers and the
 * token itself signed), ask for a SAML 2.0 holder-of-key token for a known entity id with UseKey = that
 * certificate, and claim the CVR the certificate belongs to. The answer is a RequestSecurityTokenResponse
 * with a signed assertion (see {@link Tokens}); a refusal is a SOAP 1.2 fault.
 */
final class Sts implements HttpHandler {
    static final String ISSUE_ACTION = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue";
    static final String ISSUE_FINAL = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTRC/IssueFinal";
    private static final String CLAIMS_DIALECT = "http://docs.oasis-open.org/wsfed/authorization/200706/authclaims";
    private static final Pattern CVR_IN_SUBJECT = Pattern.compile("CVR:([0-9]{8})");

    private final Config config;
    private final Keys keys;
    private final State state;
    private final Tokens tokens;
    private final String url;

    Sts(Config config, Keys keys, State state, String url) {
        this.config = config;
        this.keys = keys;
        this.state = state;
        this.tokens = new Tokens(keys, config.stsEntityId());
        this.url = url;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("endpoint", "sts");
        rec.put("body", new String(body, StandardCharsets.UTF_8));
        try {
            if (!"POST".equals(ex.getRequestMethod())) throw new Refusal("method " + ex.getRequestMethod());
            String type = String.valueOf(ex.getRequestHeaders().getFirst("Content-Type"));
            if (!type.startsWith("application/soap+xml")) throw new Refusal("Content-Type " + type + " is not SOAP 1.2 (application/soap+xml)");
            Element assertion = issue(body, rec);
            rec.put("accepted", true);
            state.record(rec);
            Main.log("sts: issued " + rec.get("tokenId") + " for " + rec.get("appliesTo"));
            send(ex, 200, response(assertion, (String) rec.get("messageId")));
        } catch (Refusal r) {
            rec.put("accepted", false);
            rec.put("refusal", r.getMessage());
            state.record(rec);
            Main.log("sts: refused: " + r.getMessage());
            send(ex, 500, fault(r.getMessage()));
        } catch (Exception e) {
            rec.put("accepted", false);
            rec.put("refusal", "unreadable request: " + Mask.cpr(String.valueOf(e.getMessage())));
            state.record(rec);
            send(ex, 500, fault((String) rec.get("refusal")));
        }
    }

    private Element issue(byte[] body, Map<String, Object> rec) throws Exception {
        Instant now = Instant.now();
        Document doc;
        try {
            doc = Xml.parse(body);
        } catch (Exception e) {
            throw new Refusal("not well-formed XML");
        }
        Element env = doc.getDocumentElement();
        if (!Xml.is(env, Xml.SOAP12, "Envelope")) throw new Refusal("root is not a SOAP 1.2 Envelope");
        Element header = Xml.need(env, Xml.SOAP12, "Header", "soap:Header");
        Element soapBody = Xml.need(env, Xml.SOAP12, "Body", "soap:Body");
        Map<String, Element> ids = Wss.ids(doc);
        Element action = Xml.need(header, Xml.WSA, "Action", "wsa:Action");
        if (!ISSUE_ACTION.equals(Xml.text(action))) throw new Refusal("wsa:Action is not " + ISSUE_ACTION);
        Element messageId = Xml.need(header, Xml.WSA, "MessageID", "wsa:MessageID");
        rec.put("messageId", Xml.text(messageId));
        Element to = Xml.need(header, Xml.WSA, "To", "wsa:To");
        if (!url.equals(Xml.text(to))) throw new Refusal("wsa:To is not " + url);
        Element replyTo = Xml.child(header, Xml.WSA, "ReplyTo");
        Element security = Xml.need(header, Xml.WSSE, "Security", "wsse:Security header");
        Element ts = Wss.timestamp(security, now);
        Element bst = Xml.need(security, Xml.WSSE, "BinarySecurityToken", "wsse:BinarySecurityToken with the function certificate");
        if (!Xml.X509V3.equals(bst.getAttribute("ValueType"))) throw new Refusal("BinarySecurityToken is not an X509v3 certificate");
        X509Certificate cert = certificate(Xml.text(bst));
        String untrusted = keys.untrusted(cert);
        if (untrusted != null) throw new Refusal("unknown certificate: " + untrusted);
        Element signature = Xml.need(security, Xml.DS, "Signature", "ds:Signature");
        Element ref = Xml.child(Xml.child(Xml.child(signature, Xml.DS, "KeyInfo"), Xml.WSSE, "SecurityTokenReference"), Xml.WSSE, "Reference");
        if (ref == null || !ref.getAttribute("URI").equals("#" + bst.getAttributeNS(Xml.WSU, "Id"))) {
            throw new Refusal("the signature's KeyInfo does not reference the BinarySecurityToken");
        }
        Set<Element> covered = Wss.verify(signature, cert.getPublicKey(), ids, "the certificate of the BinarySecurityToken");
        Wss.mustCover(covered, soapBody, "soap:Body");
        Wss.mustCover(covered, ts, "wsu:Timestamp");
        Wss.mustCover(covered, action, "wsa:Action");
        Wss.mustCover(covered, messageId, "wsa:MessageID");
        Wss.mustCover(covered, to, "wsa:To");
        Wss.mustCover(covered, replyTo, "wsa:ReplyTo");
        Wss.mustCover(covered, bst, "the BinarySecurityToken");

        Element rst = Xml.need(soapBody, Xml.WST, "RequestSecurityToken", "wst:RequestSecurityToken");
        expect(rst, "RequestType", Xml.WST + "/Issue");
        expect(rst, "TokenType", Xml.SAML2_TOKEN);
        expect(rst, "KeyType", Xml.WST + "/PublicKey");
        Element useKey = Xml.child(Xml.child(rst, Xml.WST, "UseKey"), Xml.WSSE, "BinarySecurityToken");
        if (useKey == null || !Arrays.equals(certificate(Xml.text(useKey)).getEncoded(), cert.getEncoded())) {
            throw new Refusal("wst:UseKey must carry the certificate that signed the request");
        }
        Element appliesTo = Xml.child(rst, Xml.WSP, "AppliesTo");
        if (appliesTo == null) appliesTo = Xml.child(rst, "http://www.w3.org/ns/ws-policy", "AppliesTo");
        String entityId = Xml.text(Xml.child(Xml.child(appliesTo, Xml.WSA, "EndpointReference"), Xml.WSA, "Address"));
        rec.put("appliesTo", entityId);
        if (entityId == null) throw new Refusal("missing wsp:AppliesTo/wsa:EndpointReference/wsa:Address");
        if (!config.entityIds().contains(entityId)) throw new Refusal("unknown entity id " + entityId);
        String cvr = claimedCvr(rst);
        Matcher m = CVR_IN_SUBJECT.matcher(cert.getSubjectX500Principal().getName(X500Principal.RFC2253, Map.of("2.5.4.5", "SERIALNUMBER")));
        if (!m.find() || !m.group(1).equals(cvr)) throw new Refusal("CVR claim " + cvr + " is not the CVR of the certificate");
        if (!config.cvr().equals(cvr)) throw new Refusal("CVR " + cvr + " has no service agreement");
        Element assertion = tokens.issue(cert, entityId, cvr, now, state.tokenLifetime());
        String notOnOrAfter = Xml.child(assertion, Xml.SAML, "Conditions").getAttribute("NotOnOrAfter");
        rec.put("tokenId", assertion.getAttribute("ID"));
        state.token(new LinkedHashMap<>(Map.of("id", assertion.getAttribute("ID"), "audience", entityId, "notOnOrAfter", notOnOrAfter)));
        return assertion;
    }

    private static void expect(Element rst, String local, String value) {
        if (!value.equals(Xml.text(Xml.child(rst, Xml.WST, local)))) throw new Refusal("wst:" + local + " is not " + value);
    }

    /** The CVR of {@code Claims/ClaimType[@Uri=CvrNumberIdentifier]/Value} (Value in any or no namespace). */
    private static String claimedCvr(Element rst) {
        Element claims = Xml.child(rst, Xml.WST, "Claims");
        if (claims == null || !CLAIMS_DIALECT.equals(claims.getAttribute("Dialect"))) throw new Refusal("missing wst:Claims of the authclaims dialect");
        for (Element ct : Xml.children(claims, Xml.AUTH, "ClaimType")) {
            if (Tokens.CVR_ATTRIBUTE.equals(ct.getAttribute("Uri"))) {
                for (Element v : Xml.children(ct)) if ("Value".equals(v.getLocalName())) return Xml.text(v);
            }
        }
        throw new Refusal("missing the CVR claim (" + Tokens.CVR_ATTRIBUTE + ")");
    }

    private static X509Certificate certificate(String base64) {
        try {
            return Keys.cert(Base64.getMimeDecoder().decode(base64));
        } catch (Exception e) {
            throw new Refusal("unreadable certificate in a BinarySecurityToken");
        }
    }

    private byte[] response(Element assertion, String relatesTo) throws Exception {
        Document doc = Xml.newDocument();
        Element env = doc.createElementNS(Xml.SOAP12, "s:Envelope");
        doc.appendChild(env);
        Element header = Xml.add(env, Xml.SOAP12, "s:Header", null);
        Xml.add(header, Xml.WSA, "a:Action", ISSUE_FINAL);
        if (relatesTo != null) Xml.add(header, Xml.WSA, "a:RelatesTo", relatesTo);
        Element rstrc = Xml.add(Xml.add(env, Xml.SOAP12, "s:Body", null), Xml.WST, "trust:RequestSecurityTokenResponseCollection", null);
        Element rstr = Xml.add(rstrc, Xml.WST, "trust:RequestSecurityTokenResponse", null);
        Xml.add(rstr, Xml.WST, "trust:TokenType", Xml.SAML2_TOKEN);
        Xml.add(rstr, Xml.WST, "trust:RequestedSecurityToken", null).appendChild(doc.importNode(assertion, true));
        Element conditions = Xml.child(assertion, Xml.SAML, "Conditions");
        Element lifetime = Xml.add(rstr, Xml.WST, "trust:Lifetime", null);
        Xml.add(lifetime, Xml.WSU, "wsu:Created", conditions.getAttribute("NotBefore"));
        Xml.add(lifetime, Xml.WSU, "wsu:Expires", conditions.getAttribute("NotOnOrAfter"));
        String audience = Xml.text(Xml.descendants(assertion, Xml.SAML, "Audience").get(0));
        Xml.add(Xml.add(Xml.add(rstr, Xml.WSP, "wsp:AppliesTo", null), Xml.WSA, "a:EndpointReference", null), Xml.WSA, "a:Address", audience);
        Xml.add(rstr, Xml.WST, "trust:KeyType", Xml.WST + "/PublicKey");
        return Xml.bytes(doc);
    }

    static byte[] fault(String reason) {
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><s:Envelope xmlns:s=\"" + Xml.SOAP12 + "\"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value>"
                + "<s:Subcode><s:Value xmlns:trust=\"" + Xml.WST + "\">trust:InvalidRequest</s:Value></s:Subcode></s:Code>"
                + "<s:Reason><s:Text xml:lang=\"en\">" + Xml.esc(reason) + "</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>")
                .getBytes(StandardCharsets.UTF_8);
    }

    static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/soap+xml; charset=utf-8");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }
}
