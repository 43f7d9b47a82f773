package dk.eindkomst.transportdouble;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Serviceplatformen's two SF0770_E services (SOAP 1.1, token policy). Every request goes through three
 * checks, each a refusal (soap:Client fault, recorded with its category) when it fails:
 * <ol>
 * <li>request: POST, {@code text/xml}, quoted SOAPAction of the service, SOAP 1.1 envelope, wsa:Action =
 *     SOAPAction, wsa:MessageID, wsa:To = the service URL, sbf:Framework 2.0 with the basic profile;</li>
 * <li>security: wsse:Security with a live wsu:Timestamp, a SAML assertion signed by the STS, unexpired and for
 *     this service's entity id, and a message signature that verifies with the assertion's holder-of-key
 *     certificate, referenced through a SecurityTokenReference (SAMLID), and covers Body, Timestamp, every
 *     WS-Addressing header, sbf:Framework and the assertion (STR-Transform);</li>
 * <li>schema: HovedOplysninger against KOMBIT's kontekst schema and the Inddata content against SKAT's request
 *     schema; the reconstructed KOMBIT wrapper only adds warnings.</li>
 * </ol>
 * Then the business rules: a subscription table per SE-nr, a dataafgrænsning (allowed SE-nrs) answered with a
 * Fejl, Advis for a repeated start/stop, a fresh order id per order, and injected faults. Answers are signed.
 */
final class Services implements HttpHandler {
    private static final String UUID_RE = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    private final Config config;
    private final State state;
    private final Tokens tokens;
    private final Schemas schemas;
    private final Answers answers;
    private final String base;

    Services(Config config, Keys keys, State state, Schemas schemas, String base) {
        this.config = config;
        this.state = state;
        this.tokens = new Tokens(keys, config.stsEntityId());
        this.schemas = schemas;
        this.answers = new Answers(keys);
        this.base = base;
    }

    /** A request that passed every check. */
    private record Checked(Element root, String transaktionsId, String messageId) {}

    @Override
    public void handle(HttpExchange ex) throws IOException {
        Config.Service service = config.services().values().stream()
                .filter(s -> s.path().equals(ex.getHttpContext().getPath())).findFirst().orElseThrow();
        byte[] body = ex.getRequestBody().readAllBytes();
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("endpoint", service.name());
        rec.put("soapAction", ex.getRequestHeaders().getFirst("SOAPAction"));
        rec.put("body", new String(body, StandardCharsets.UTF_8));
        int raw = state.takeRawStatus();
        if (raw != 0) {
            rec.put("accepted", false);
            rec.put("injected", "raw HTTP " + raw);
            state.record(rec);
            send(ex, raw, "<html>Bad Gateway</html>".getBytes(StandardCharsets.UTF_8), "text/html");
            return;
        }
        String[] phase = {"request"};
        Checked c;
        try {
            c = check(service, ex, body, rec, phase);
        } catch (Refusal r) {
            refuse(ex, rec, phase[0], r.getMessage());
            return;
        } catch (Exception e) {
            refuse(ex, rec, phase[0], "unreadable request: " + Mask.cpr(String.valueOf(e.getMessage())));
            return;
        }
        rec.put("accepted", true);
        state.record(rec);
        Main.log(service.name() + ": accepted" + (((List<?>) rec.get("warnings")).isEmpty() ? "" : " with warnings " + rec.get("warnings")));
        try {
            String[] fault = state.takeFault();
            if (fault != null) {
                send(ex, 500, answers.sign(Answers.fault("soap:Server", "Serviceplatformen fejl", fault[0], fault[1]), c.messageId(), "signed"),
                     "text/xml; charset=utf-8");
                return;
            }
            String answer = service.vedligehold() ? vedligehold(c) : bestil(c);
            // The double's own answers keep to KOMBIT's kontekst schema as well.
            Element svar = Xml.descendants(Xml.parse(answer.getBytes(StandardCharsets.UTF_8)).getDocumentElement(), Xml.KONTEKST, "HovedOplysningerSvar").get(0);
            List<String> own = schemas.kontekst(svar);
            if (!own.isEmpty()) throw new IllegalStateException("answer template against the kontekst schema: " + own);
            send(ex, 200, answers.sign(answer, c.messageId(), state.takeAnswer()), "text/xml; charset=utf-8");
        } catch (Exception e) {
            Main.log(service.name() + ": answer failed: " + e);
            send(ex, 500, new byte[0], "text/plain");
        }
    }

    private void refuse(HttpExchange ex, Map<String, Object> rec, String category, String reason) throws IOException {
        rec.put("accepted", false);
        rec.put("category", category);
        rec.put("refusal", reason);
        rec.putIfAbsent("warnings", List.of());
        state.record(rec);
        Main.log(rec.get("endpoint") + ": refused (" + category + "): " + reason);
        String code = category.equals("security") ? "wsse:InvalidSecurity" : "soap:Client";
        String fault = Answers.fault(code, "request refused by the test double", "DOUBLE-" + category.toUpperCase(java.util.Locale.ROOT), reason);
        if (category.equals("security")) {
            fault = fault.replace("<soap:Envelope ", "<soap:Envelope xmlns:wsse=\"" + Xml.WSSE + "\" ");
        }
        send(ex, 500, fault.getBytes(StandardCharsets.UTF_8), "text/xml; charset=utf-8");
    }

    private Checked check(Config.Service service, HttpExchange ex, byte[] body, Map<String, Object> rec, String[] phase) throws Exception {
        Instant now = Instant.now();
        // 1. request
        if (!"POST".equals(ex.getRequestMethod())) throw new Refusal("method " + ex.getRequestMethod());
        String type = String.valueOf(ex.getRequestHeaders().getFirst("Content-Type"));
        if (!type.startsWith("text/xml")) throw new Refusal("Content-Type " + type + " is not SOAP 1.1 (text/xml)");
        String action = "\"" + service.soapAction() + "\"";
        if (!action.equals(ex.getRequestHeaders().getFirst("SOAPAction"))) throw new Refusal("SOAPAction is not " + action);
        Document doc;
        try {
            doc = Xml.parse(body);
        } catch (Exception e) {
            throw new Refusal("not well-formed XML");
        }
        Element env = doc.getDocumentElement();
        if (!Xml.is(env, Xml.SOAP11, "Envelope")) throw new Refusal("root is not a SOAP 1.1 Envelope");
        Element header = Xml.need(env, Xml.SOAP11, "Header", "soap:Header");
        Element soapBody = Xml.need(env, Xml.SOAP11, "Body", "soap:Body");
        Element wsaAction = Xml.need(header, Xml.WSA, "Action", "wsa:Action");
        if (!service.soapAction().equals(Xml.text(wsaAction))) throw new Refusal("wsa:Action differs from SOAPAction");
        Element messageId = Xml.need(header, Xml.WSA, "MessageID", "wsa:MessageID");
        rec.put("messageId", Xml.text(messageId));
        if (!Xml.text(messageId).matches("urn:uuid:" + UUID_RE)) throw new Refusal("wsa:MessageID is not a urn:uuid");
        Element to = Xml.need(header, Xml.WSA, "To", "wsa:To");
        if (!(base + service.path()).equals(Xml.text(to))) throw new Refusal("wsa:To is not " + base + service.path());
        Element framework = Xml.need(header, Xml.SBF, "Framework", "sbf:Framework");
        if (!"2.0".equals(framework.getAttribute("version"))
            || !"urn:liberty:sb:profile:basic".equals(framework.getAttributeNS(Xml.SBF_PROFILE, "profile"))) {
            throw new Refusal("sbf:Framework is not version 2.0 with the basic profile");
        }
        // 2. security
        phase[0] = "security";
        Map<String, Element> ids = Wss.ids(doc);
        Element security = Xml.need(header, Xml.WSSE, "Security", "wsse:Security header");
        Element ts = Wss.timestamp(security, now);
        Element assertion = Xml.need(security, Xml.SAML, "Assertion", "SAML token (saml:Assertion) in wsse:Security");
        Tokens.Token token = tokens.verify(assertion, service.entityId(), now);
        rec.put("tokenId", token.id());
        Element signature = Xml.need(security, Xml.DS, "Signature", "message signature (ds:Signature) in wsse:Security");
        Element keyStr = Xml.child(Xml.child(signature, Xml.DS, "KeyInfo"), Xml.WSSE, "SecurityTokenReference");
        if (keyStr == null || Wss.referencedAssertion(keyStr) != assertion) {
            throw new Refusal("the signature's KeyInfo does not reference the SAML token");
        }
        Set<Element> covered = Wss.verify(signature, token.holder().getPublicKey(), ids, "the token's holder-of-key certificate");
        Wss.mustCover(covered, soapBody, "soap:Body");
        Wss.mustCover(covered, ts, "wsu:Timestamp");
        Wss.mustCover(covered, assertion, "the SAML token");
        Wss.mustCover(covered, framework, "sbf:Framework");
        for (Element h : Xml.children(header)) {
            if (Xml.WSA.equals(h.getNamespaceURI())) Wss.mustCover(covered, h, "wsa:" + h.getLocalName());
        }
        // 3. schema
        phase[0] = "schema";
        List<Element> inBody = Xml.children(soapBody);
        String rootName = service.vedligehold() ? "IndkomstOplysningPersonAbonnementAjourfoer_I" : "IndkomstOplysningVirksomhedAbonnentBestil_I_I";
        if (inBody.size() != 1 || !Xml.is(inBody.get(0), Xml.KOMBIT, rootName)) throw new Refusal("soap:Body must hold exactly kombit2017:" + rootName);
        Element root = inBody.get(0);
        List<Element> parts = Xml.children(root);
        if (parts.size() != 2 || !Xml.is(parts.get(0), Xml.KONTEKST, "HovedOplysninger")) {
            throw new Refusal(rootName + " must hold kontekst:HovedOplysninger and the Inddata");
        }
        String inddataName = service.vedligehold() ? "PersonIndkomstAbonnementInddata" : "IndkomstOplysningVirksomhedAbonnentBestilInddata";
        if (!Xml.is(parts.get(1), Xml.KOMBIT, inddataName)) throw new Refusal("second child of " + rootName + " must be kombit2017:" + inddataName);
        List<String> findings = new java.util.ArrayList<>(schemas.kontekst(parts.get(0)));
        findings.addAll(schemas.skat(service.vedligehold(), parts.get(1)));
        rec.put("warnings", schemas.reconstructed(root));
        if (!findings.isEmpty()) throw new Refusal(String.join("; ", findings));
        String transaktionsId = Xml.text(Xml.child(parts.get(0), Xml.KONTEKST, "TransaktionsId"));
        if (!transaktionsId.matches(UUID_RE)) throw new Refusal("TransaktionsId is not a lower-case UUID");
        rec.put("transaktionsId", transaktionsId);
        return new Checked(root, transaktionsId, Xml.text(messageId));
    }

    private String vedligehold(Checked c) {
        Element inddata = Xml.child(c.root(), Xml.KOMBIT, "PersonIndkomstAbonnementInddata");
        String se = Xml.text(Xml.descendants(inddata, Xml.VIRKSOMHED, "VirksomhedSENummerIdentifikator").get(0));
        StringBuilder reaktioner = new StringBuilder();
        if (!config.allowedSeNr().contains(se)) {
            reaktioner.append(Answers.reaktion("Fejl", "4100", "SE-nr er ikke omfattet af dataafgrænsningen", "Serviceplatformen"));
        } else {
            boolean start = !Xml.descendants(inddata, Xml.FASE2, "PersonStartAbonnementSamling").isEmpty();
            for (Element cpr : Xml.descendants(inddata, Xml.CPR, "PersonCivilRegistrationIdentifier")) {
                if (!state.subscribe(se, Xml.text(cpr), start)) {
                    reaktioner.append(Answers.reaktion("Advis", "210", start ? "Person er allerede tilmeldt abonnementet"
                                                                           : "Person er ikke tilmeldt abonnementet", "SKAT"));
                }
            }
        }
        return Answers.template("ajourfoer-ok.xml", Map.of("TransaktionsId", c.transaktionsId(), "SvarReaktion", reaktioner.toString()));
    }

    private String bestil(Checked c) {
        Element inddata = Xml.child(c.root(), Xml.KOMBIT, "IndkomstOplysningVirksomhedAbonnentBestilInddata");
        Element abonnent = Xml.child(inddata, Xml.FASE2, "AbonnentSamling");
        String se = Xml.text(Xml.descendants(abonnent, Xml.VIRKSOMHED, "VirksomhedSENummerIdentifikator").get(0));
        if (!config.allowedSeNr().contains(se)) {
            // A Fejl answer still has the Uddata element in recorded answers; the order id is then empty.
            return Answers.template("bestil-ok.xml", Map.of("TransaktionsId", c.transaktionsId(), "BestillingId", "",
                    "SvarReaktion", Answers.reaktion("Fejl", "4100", "SE-nr er ikke omfattet af dataafgrænsningen", "Serviceplatformen")));
        }
        String order = UUID.randomUUID().toString();
        state.order(order);
        return Answers.template("bestil-ok.xml", Map.of("TransaktionsId", c.transaktionsId(), "BestillingId", order, "SvarReaktion", ""));
    }

    static void send(HttpExchange ex, int status, byte[] body, String type) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) ex.getResponseBody().write(body);
        ex.close();
    }
}
