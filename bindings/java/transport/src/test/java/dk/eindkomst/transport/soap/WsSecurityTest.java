package dk.eindkomst.transport.soap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dk.eindkomst.transport.TestEngine;
import dk.eindkomst.transport.TransportDouble;
import dk.eindkomst.transport.security.FunctionCertificate;
import dk.eindkomst.transport.security.SamlToken;
import dk.eindkomst.transport.security.StsClient;
import dk.eindkomst.transport.security.StsConfig;
import dk.eindkomst.transport.security.StsException;
import dk.eindkomst.transport.security.TokenSecurity;
import dk.eindkomst.transport.security.TokenSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * WS-Security end to end against the transport double: what a signed request holds, and every refusal the
 * double must make (changed body, no timestamp, expired token, token for another service, unknown
 * certificate, schema-invalid body) and the client must make (answer changed, signed by another key, unsigned).
 */
class WsSecurityTest {
    static final String WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    static final String WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    static final String DS = "http://www.w3.org/2000/09/xmldsig#";
    static final String SAML = "urn:oasis:names:tc:SAML:2.0:assertion";

    static TransportDouble sp;
    static StsClient sts;

    @BeforeAll
    static void start() throws Exception {
        sp = TransportDouble.shared();
        sts = new StsClient(StsConfig.of(sp.sts(), sp.cvr(), sp.certificate("client"), sp.tls("client")));
    }

    @BeforeEach
    void reset() throws Exception {
        sp.post("/reset");
    }

    /** A Vedligehold client whose security is {@code tokens} + TokenSecurity, with {@code edit} applied to the secured envelope. */
    static IndkomstAbonnementVedligeholdClient client(String service, TokenSource tokens, SSLContext tls, UnaryOperator<String> before,
                                                     UnaryOperator<String> after) throws Exception {
        TokenSecurity real = new TokenSecurity(tokens, sp.entityId(service), sp.spCertificate());
        SoapSecurity security = new SoapSecurity() {
            @Override
            public byte[] secure(byte[] envelope) throws Exception {
                String in = before.apply(new String(envelope, StandardCharsets.UTF_8));
                return after.apply(new String(real.secure(in.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public void verifyAnswer(byte[] answer, boolean fault) throws Exception {
                real.verifyAnswer(answer, fault);
            }
        };
        return new IndkomstAbonnementVedligeholdClient(SoapEndpoint.of(sp.url("vedligehold"), sp.soapAction("vedligehold"), tls, security),
                                                       SoapClientTest.FULL_CONTEXT, SoapClientTest.ADGANG, TestEngine.identifierCheck());
    }

    static IndkomstAbonnementVedligeholdClient client(UnaryOperator<String> after) throws Exception {
        return client("vedligehold", sts, sp.tls("client"), s -> s, after);
    }

    static TokenSource source(SamlToken token, FunctionCertificate holder) {
        return new TokenSource() {
            @Override public SamlToken token(String entityId) { return token; }
            @Override public FunctionCertificate certificate() { return holder; }
        };
    }

    /** Starts a subscription, expects the double's security refusal, returns its reason. */
    static String refused(IndkomstAbonnementVedligeholdClient c, String category) throws Exception {
        ServiceplatformFaultException e = assertThrows(ServiceplatformFaultException.class,
                () -> c.start(SoapClientTest.SE, LocalDate.of(2025, 2, 1), List.of(SoapClientTest.CPR_A)));
        assertEquals("DOUBLE-" + category.toUpperCase(java.util.Locale.ROOT), e.errors().get(0).errorCode());
        List<JsonObject> rs = sp.serviceRequests();
        assertEquals(1, rs.size());
        assertEquals(false, rs.get(0).get("accepted").getAsBoolean());
        assertEquals(category, rs.get(0).get("category").getAsString());
        assertEquals(List.of(), sp.subscriptions(SoapClientTest.SE));
        return rs.get(0).get("refusal").getAsString();
    }

    @Test
    void aSignedRequestHoldsTimestampTokenAndOneSignatureOverEveryPart() throws Exception {
        client(s -> s).start(SoapClientTest.SE, LocalDate.of(2025, 2, 1), List.of(SoapClientTest.CPR_A));
        JsonObject r = sp.serviceRequests().get(0);
        assertTrue(r.get("accepted").getAsBoolean(), () -> r.get("refusal").toString());
        Document d = TransportDouble.body(r);
        Element security = (Element) d.getElementsByTagNameNS(WSSE, "Security").item(0);
        List<String> order = new ArrayList<>();
        for (var n = security.getFirstChild(); n != null; n = n.getNextSibling()) if (n instanceof Element e) order.add(e.getLocalName());
        assertEquals(List.of("Timestamp", "Assertion", "SecurityTokenReference", "Signature"), order);
        Element assertion = (Element) d.getElementsByTagNameNS(SAML, "Assertion").item(0);
        assertEquals(sp.entityId("vedligehold"), d.getElementsByTagNameNS(SAML, "Audience").item(0).getTextContent());
        assertEquals(r.get("tokenId").getAsString(), assertion.getAttribute("ID"));
        Element signature = (Element) security.getLastChild();
        var refs = signature.getElementsByTagNameNS(DS, "Reference");
        List<String> signed = new ArrayList<>();
        for (int i = 0; i < refs.getLength(); i++) {
            Element target = byId(d, ((Element) refs.item(i)).getAttribute("URI").substring(1));
            signed.add(target.getLocalName());
            Element transform = (Element) ((Element) refs.item(i)).getElementsByTagNameNS(DS, "Transform").item(0);
            assertEquals(target.getLocalName().equals("SecurityTokenReference")
                         ? "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#STR-Transform"
                         : "http://www.w3.org/2001/10/xml-exc-c14n#", transform.getAttribute("Algorithm"));
        }
        assertEquals(List.of("Timestamp", "Body", "Action", "MessageID", "To", "Framework", "SecurityTokenReference"), signed);
        assertEquals("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                     ((Element) d.getElementsByTagNameNS(DS, "SignatureMethod").item(0)).getAttribute("Algorithm"));
    }

    private static Element byId(Document d, String id) {
        var all = d.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (id.equals(e.getAttributeNS(WSU, "Id"))) return e;
        }
        throw new AssertionError("no element " + id);
    }

    @Test
    void theDoubleRefusesAChangedBody() throws Exception {
        String reason = refused(client(s -> s.replace(SoapClientTest.CPR_A, "0101575124")), "security");
        assertTrue(reason.startsWith("signed content was changed: the digest of #"), reason);
        assertTrue(reason.endsWith("(soap:Body) does not match"), reason);
    }

    @Test
    void theDoubleRefusesAMissingTimestamp() throws Exception {
        String reason = refused(client(s -> s.replaceFirst("<wsu:Timestamp .*?</wsu:Timestamp>", "")), "security");
        assertEquals("missing wsu:Timestamp in wsse:Security", reason);
    }

    @Test
    void theDoubleRefusesAnExpiredToken() throws Exception {
        sp.post("/token-lifetime?seconds=1");
        var shortLived = new StsClient(new StsConfig(sp.sts(), sp.cvr(), sp.certificate("client"), sp.tls("client"), Duration.ofSeconds(10),
                                                     Duration.ZERO));
        SamlToken token = shortLived.token(sp.entityId("vedligehold"));
        Thread.sleep(Duration.between(java.time.Instant.now(), token.notOnOrAfter()).toMillis() + 200);
        String reason = refused(client("vedligehold", source(token, sp.certificate("client")), sp.tls("client"), s -> s, s -> s), "security");
        assertEquals("token expired at " + token.notOnOrAfter(), reason);
    }

    @Test
    void theDoubleRefusesATokenForAnotherService() throws Exception {
        SamlToken forBestil = sts.token(sp.entityId("bestil"));
        String reason = refused(client("vedligehold", source(forBestil, sp.certificate("client")), sp.tls("client"), s -> s, s -> s), "security");
        assertEquals("token audience " + sp.entityId("bestil") + " is not this service (" + sp.entityId("vedligehold") + ")", reason);
    }

    @Test
    void unknownCertificatesAreRefusedAtTheStsTheServiceAndTls() throws Exception {
        FunctionCertificate stranger = sp.certificate("stranger");
        // STS: a request signed by a certificate the test CA did not issue.
        var strangerSts = new StsClient(StsConfig.of(sp.sts(), sp.cvr(), stranger, sp.tls("client")));
        StsException noToken = assertThrows(StsException.class, () -> strangerSts.token(sp.entityId("vedligehold")));
        assertTrue(noToken.getMessage().startsWith("STS refused the token request (HTTP 500): unknown certificate: certificate "),
                   noToken.getMessage());
        // Service: a valid token, but the message signed by another key than the token's holder-of-key.
        SamlToken token = sts.token(sp.entityId("vedligehold"));
        String reason = refused(client("vedligehold", source(token, stranger), sp.tls("client"), s -> s, s -> s), "security");
        assertEquals("the signature does not verify with the token's holder-of-key certificate", reason);
        // TLS: the services want a client certificate of the test CA.
        sp.post("/reset");
        var c = client("vedligehold", sts, sp.tls("stranger"), s -> s, s -> s);
        assertThrows(SoapTransportException.class, () -> c.start(SoapClientTest.SE, LocalDate.of(2025, 2, 1), List.of(SoapClientTest.CPR_A)));
        assertEquals(List.of(), sp.serviceRequests());
    }

    @Test
    void theDoubleRefusesBodiesAgainstSkatsSchema() throws Exception {
        // Without AbonnentAdgangOmfangTypeTekst (signed as is): SKAT's schema wants it second.
        String missing = refused(client("vedligehold", sts, sp.tls("client"),
                s -> s.replaceFirst("<abonnentadgangomfangtype:AbonnentAdgangOmfangTypeTekst>Fuld</abonnentadgangomfangtype:AbonnentAdgangOmfangTypeTekst>", ""),
                s -> s), "schema");
        assertTrue(missing.startsWith("SKAT schema IndkomstOplysningPersonAbonnementAjourfoer_I.xsd: cvc-complex-type.2.4.a:"), missing);
        assertTrue(missing.contains("AbonnentAdgangOmfangTypeTekst"), missing);

        // The CPR straight under IndkomstPersonVirksomhedStruktur (the tree the adapters sent before).
        sp.post("/reset");
        TokenSecurity real = new TokenSecurity(sts, sp.entityId("bestil"), sp.spCertificate());
        SoapSecurity oldTree = new SoapSecurity() {
            @Override
            public byte[] secure(byte[] envelope) throws Exception {
                String s = new String(envelope, StandardCharsets.UTF_8)
                        .replace("<fase2:PersonVirksomhedValg><fase2:Person>", "").replace("</fase2:Person></fase2:PersonVirksomhedValg>", "");
                return real.secure(s.getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public void verifyAnswer(byte[] answer, boolean fault) throws Exception {
                real.verifyAnswer(answer, fault);
            }
        };
        var bestil = new IndkomstOplysningVirksomhedAbonnentBestilClient(SoapEndpoint.of(sp.url("bestil"), sp.soapAction("bestil"), sp.tls("client"), oldTree),
                CallContext.ofMunicipality("29189846"), SoapClientTest.ADGANG, TestEngine.identifierCheck());
        ServiceplatformFaultException e = assertThrows(ServiceplatformFaultException.class, () -> bestil.bestil(new Bestilling(
                SoapClientTest.SE, null, List.of("11111111"), YearMonth.of(2025, 1), null, List.of(SoapClientTest.CPR_A))));
        String reason = e.errors().get(0).errorText();
        assertTrue(reason.startsWith("SKAT schema IndkomstOplysningVirksomhedAbonnentBestil_I_I.xsd: cvc-complex-type.2.4.a:"), reason);
        assertTrue(reason.contains("PersonCivilRegistrationIdentifier") && reason.contains("PersonVirksomhedValg"), reason);
        assertTrue(!reason.contains(SoapClientTest.CPR_A), reason);
    }

    @Test
    void theClientRefusesAnswersNotSignedByTheService() throws Exception {
        var c = client(s -> s);
        for (String[] mode : new String[][] {
                {"tampered", "answer refused: answer was changed after it was signed (a digest does not match)"},
                {"wrong-key", "answer refused: answer signature does not verify with the service certificate"},
                {"unsigned", "answer refused: answer is not signed"}}) {
            sp.post("/answer?mode=" + mode[0]);
            SoapSecurityException e = assertThrows(SoapSecurityException.class,
                    () -> c.start(SoapClientTest.SE, LocalDate.of(2025, 2, 1), List.of(SoapClientTest.CPR_A)), mode[0]);
            assertEquals(mode[1], e.getMessage());
        }
        // The double did the work each time (only the client refused the answers) and signs properly again.
        assertEquals(3, sp.serviceRequests().size());
        Svar svar = c.start(SoapClientTest.SE, LocalDate.of(2025, 2, 1), List.of(SoapClientTest.CPR_B));
        assertNotNull(svar.transaktionsId());
    }
}
