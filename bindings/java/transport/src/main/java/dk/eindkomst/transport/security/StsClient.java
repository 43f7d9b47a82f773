package dk.eindkomst.transport.security;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Client of KOMBIT's STS ("Adgangsstyring for systemer"): WS-Trust 1.3 Issue over SOAP 1.2, as KOMBIT's
 * own Java sample asks it. The request is signed with the function certificate (sent as BinarySecurityToken;
 * Timestamp, Body, the WS-Addressing headers and the certificate are signed: exclusive c14n, RSA-SHA256) and
 * asks for a SAML 2.0 holder-of-key token ({@code KeyType PublicKey}, {@code UseKey} = the certificate) for
 * {@code AppliesTo} = the entity id, with the organisation's CVR as claim.
 * <p>
 * Tokens are cached per entity id and renewed {@link StsConfig#renewBefore()} before they expire. The same
 * tokens serve the SOAP services ({@link TokenSecurity}) and Beskedfordeler's AMQP SASL EXTERNAL
 * ({@link #amqpToken(String)}). Thread-safe.
 */
public final class StsClient implements TokenSource {
    static final String ISSUE = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue";
    private static final Pattern CPR_LIKE = Pattern.compile("(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])");

    private final StsConfig config;
    private final Clock clock;
    private final HttpClient http;
    private final Map<String, SamlToken> cache = new ConcurrentHashMap<>();

    public StsClient(StsConfig config) {
        this(config, Clock.systemUTC());
    }

    /** With the clock that decides when a cached token is due for renewal (the request's timestamp is always real time). */
    public StsClient(StsConfig config, Clock clock) {
        this.config = Objects.requireNonNull(config);
        this.clock = Objects.requireNonNull(clock);
        // HTTP/1.1 only: the JDK client would otherwise offer an h2c upgrade on plain HTTP.
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(config.timeout());
        if (config.tls() != null) b.sslContext(config.tls());
        http = b.build();
    }

    @Override
    public FunctionCertificate certificate() {
        return config.certificate();
    }

    /** A token for {@code entityId}: the cached one, or a new one when none is cached or it is due for renewal. */
    @Override
    public SamlToken token(String entityId) throws StsException {
        Objects.requireNonNull(entityId, "entityId");
        SamlToken t = cache.get(entityId);
        if (fresh(t)) return t;
        synchronized (this) {
            t = cache.get(entityId);
            if (fresh(t)) return t;
            t = issue(entityId);
            cache.put(entityId, t);
            return t;
        }
    }

    /**
     * The SASL EXTERNAL response for Beskedfordeler ({@code ConsumerConfig.builder(...).external(...)}): the
     * current token for {@code entityId} (e.g. {@code http://entityid.kombit.dk/service/bfo_modtag/2}) as XML
     * bytes, fetched or renewed on each call, i.e. on each (re)connect. An STS failure is thrown as
     * {@link IllegalStateException}, which makes the consumer retry the connection later.
     */
    public Supplier<byte[]> amqpToken(String entityId) {
        Objects.requireNonNull(entityId, "entityId");
        return () -> {
            try {
                return token(entityId).bytes();
            } catch (StsException e) {
                throw new IllegalStateException("no token for Beskedfordeler: " + e.getMessage(), e);
            }
        };
    }

    private boolean fresh(SamlToken t) {
        return t != null && clock.instant().isBefore(t.notOnOrAfter().minus(config.renewBefore()));
    }

    private SamlToken issue(String entityId) throws StsException {
        byte[] request;
        try {
            request = request(entityId);
        } catch (Exception e) {
            throw new StsException("could not build the token request", e);
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(HttpRequest.newBuilder(config.endpoint()).timeout(config.timeout())
                    .header("Content-Type", "application/soap+xml; charset=utf-8; action=\"" + ISSUE + "\"")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new StsException("token request to " + config.endpoint() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StsException("interrupted while waiting for the STS", e);
        }
        return answer(response.statusCode(), response.body(), entityId);
    }

    private byte[] request(String entityId) throws Exception {
        Document doc = Dom.newDocument();
        Element env = doc.createElementNS(Dom.SOAP12, "s:Envelope");
        doc.appendChild(env);
        Element header = Dom.add(env, Dom.SOAP12, "s:Header", null);
        Element action = Dom.add(header, Dom.WSA, "wsa:Action", ISSUE);
        Element messageId = Dom.add(header, Dom.WSA, "wsa:MessageID", "urn:uuid:" + UUID.randomUUID());
        Element to = Dom.add(header, Dom.WSA, "wsa:To", config.endpoint().toString());
        Element replyTo = Dom.add(header, Dom.WSA, "wsa:ReplyTo", null);
        Dom.add(replyTo, Dom.WSA, "wsa:Address", "http://www.w3.org/2005/08/addressing/anonymous");
        Element security = Dom.add(header, Dom.WSSE, "wsse:Security", null);
        security.setAttributeNS(Dom.SOAP12, "s:mustUnderstand", "true");
        Element ts = Signatures.timestamp(security, Instant.now());
        Element bst = Signatures.binaryToken(doc, config.certificate().cert());
        security.appendChild(bst);
        Element body = Dom.add(env, Dom.SOAP12, "s:Body", null);
        Element rst = Dom.add(body, Dom.WST, "wst:RequestSecurityToken", null);
        Dom.add(rst, Dom.WST, "wst:TokenType", Dom.SAML2_TOKEN);
        Dom.add(rst, Dom.WST, "wst:RequestType", Dom.WST + "/Issue");
        Element epr = Dom.add(Dom.add(rst, Dom.WSP, "wsp:AppliesTo", null), Dom.WSA, "wsa:EndpointReference", null);
        Dom.add(epr, Dom.WSA, "wsa:Address", entityId);
        Element claims = Dom.add(rst, Dom.WST, "wst:Claims", null);
        claims.setAttribute("Dialect", "http://docs.oasis-open.org/wsfed/authorization/200706/authclaims");
        Element claim = Dom.add(claims, Dom.AUTH, "auth:ClaimType", null);
        claim.setAttribute("Uri", "dk:gov:saml:attribute:CvrNumberIdentifier");
        Dom.add(claim, Dom.AUTH, "auth:Value", config.cvr());
        Dom.add(rst, Dom.WST, "wst:KeyType", Dom.WST + "/PublicKey");
        Dom.add(rst, Dom.WST, "wst:UseKey", null).appendChild(Signatures.binaryToken(doc, config.certificate().cert()));

        String bstId = Signatures.id(bst);
        List<String> parts = List.of(Signatures.id(ts), Signatures.id(body), Signatures.id(action), Signatures.id(messageId),
                                     Signatures.id(to), Signatures.id(replyTo), bstId);
        return Signatures.sign(doc, parts, List.of(), config.certificate().key(), d -> {
            Element str = d.createElementNS(Dom.WSSE, "wsse:SecurityTokenReference");
            Element ref = Dom.add(str, Dom.WSSE, "wsse:Reference", null);
            ref.setAttribute("URI", "#" + bstId);
            ref.setAttribute("ValueType", Dom.X509V3);
            return str;
        });
    }

    private SamlToken answer(int status, byte[] body, String entityId) throws StsException {
        Element env;
        try {
            env = Dom.parse(body).getDocumentElement();
        } catch (Exception e) {
            throw new StsException("STS answered HTTP " + status + " with no usable SOAP envelope", null);
        }
        Element soapBody = Dom.child(env, Dom.SOAP12, "Body");
        Element fault = Dom.child(soapBody, Dom.SOAP12, "Fault");
        if (fault != null) {
            String reason = Dom.text(Dom.child(Dom.child(fault, Dom.SOAP12, "Reason"), Dom.SOAP12, "Text"));
            throw new StsException("STS refused the token request (HTTP " + status + "): " + mask(reason), null);
        }
        if (status != 200) throw new StsException("STS answered HTTP " + status + " without a SOAP fault", null);
        List<Element> assertions = soapBody == null ? List.of() : Dom.descendants(soapBody, Dom.SAML, "Assertion");
        if (assertions.size() != 1) throw new StsException("STS answer without exactly one saml:Assertion", null);
        Element a = assertions.get(0);
        Element conditions = Dom.child(a, Dom.SAML, "Conditions");
        String audience = conditions == null ? null : Dom.text(Dom.child(Dom.child(conditions, Dom.SAML, "AudienceRestriction"), Dom.SAML, "Audience"));
        if (!entityId.equals(audience)) throw new StsException("STS issued a token for " + audience + ", not " + entityId, null);
        try {
            Instant notOnOrAfter = Instant.parse(conditions.getAttribute("NotOnOrAfter"));
            return new SamlToken(new String(Dom.bytes(a), StandardCharsets.UTF_8), a.getAttribute("ID"), audience, notOnOrAfter);
        } catch (Exception e) {
            throw new StsException("STS token without a readable Conditions/@NotOnOrAfter", e);
        }
    }

    private static String mask(String s) {
        return s == null ? null : CPR_LIKE.matcher(s).replaceAll("**********");
    }
}
