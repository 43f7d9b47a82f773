package dk.eindkomst.transport.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dk.eindkomst.transport.TransportDouble;
import dk.eindkomst.transport.amqp.ConsumerConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/** The STS client against the double's STS: token content, cache and renewal, refusals, the AMQP token. */
class StsClientTest {
    static TransportDouble sp;

    @BeforeAll
    static void start() throws Exception {
        sp = TransportDouble.shared();
    }

    @BeforeEach
    void reset() throws Exception {
        sp.post("/reset");
    }

    StsClient client(String cvr, String who, Clock clock) throws Exception {
        return new StsClient(StsConfig.of(sp.sts(), cvr, sp.certificate(who), sp.tls("client")), clock);
    }

    /** A clock the test moves. */
    static final class Moving extends Clock {
        Instant now = Instant.now();
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId z) { return this; }
        @Override public Instant instant() { return now; }
    }

    @Test
    void issuesAHolderOfKeyTokenWithTheCvrForTheEntityId() throws Exception {
        StsClient sts = client(sp.cvr(), "client", Clock.systemUTC());
        SamlToken t = sts.token(sp.entityId("vedligehold"));
        assertEquals(sp.entityId("vedligehold"), t.audience());
        Element a = Dom.parse(t.bytes()).getDocumentElement();
        assertEquals("Assertion", a.getLocalName());
        assertEquals(t.id(), a.getAttribute("ID"));
        Element hok = Dom.descendants(a, Dom.SAML, "SubjectConfirmation").get(0);
        assertEquals("urn:oasis:names:tc:SAML:2.0:cm:holder-of-key", hok.getAttribute("Method"));
        assertArrayEquals(sp.certificate("client").cert().getEncoded(),
                          Base64.getMimeDecoder().decode(Dom.text(Dom.descendants(hok, Dom.DS, "X509Certificate").get(0))));
        assertEquals("29189846", Dom.text(Dom.descendants(a, Dom.SAML, "AttributeValue").get(0)));
        assertEquals(1, Dom.descendants(a, Dom.DS, "Signature").size());
        // 8 hours, as the STS gives by default.
        assertEquals(Duration.ofHours(8), Duration.between(Instant.parse(Dom.child(a, Dom.SAML, "Conditions").getAttribute("NotBefore")), t.notOnOrAfter()));
        JsonObject r = sp.requests().get(0);
        assertEquals("sts", r.get("endpoint").getAsString());
        assertTrue(r.get("accepted").getAsBoolean());
        assertEquals(sp.entityId("vedligehold"), r.get("appliesTo").getAsString());
        assertEquals(Dom.SOAP12, TransportDouble.body(r).getDocumentElement().getNamespaceURI());
    }

    @Test
    void cachesPerEntityIdAndRenewsBeforeExpiry() throws Exception {
        Moving clock = new Moving();
        StsClient sts = client(sp.cvr(), "client", clock);
        SamlToken first = sts.token(sp.entityId("vedligehold"));
        assertEquals(first, sts.token(sp.entityId("vedligehold")));
        SamlToken other = sts.token(sp.entityId("bestil"));
        assertNotEquals(first.id(), other.id());
        assertEquals(2, sp.get("/tokens").getAsJsonArray().size());
        clock.now = first.notOnOrAfter().minus(Duration.ofMinutes(5)).minusSeconds(1);
        assertEquals(first, sts.token(sp.entityId("vedligehold")));
        clock.now = first.notOnOrAfter().minus(Duration.ofMinutes(5));
        SamlToken renewed = sts.token(sp.entityId("vedligehold"));
        assertNotEquals(first.id(), renewed.id());
        assertEquals(3, sp.get("/tokens").getAsJsonArray().size());
        assertEquals(renewed, sts.token(sp.entityId("vedligehold")));
    }

    @Test
    void stsRefusalsAreTyped() throws Exception {
        StsClient sts = client(sp.cvr(), "client", Clock.systemUTC());
        StsException unknown = assertThrows(StsException.class, () -> sts.token("urn:not:a:service"));
        assertEquals("STS refused the token request (HTTP 500): unknown entity id urn:not:a:service", unknown.getMessage());
        StsException cvr = assertThrows(StsException.class, () -> client("11111111", "client", Clock.systemUTC()).token(sp.entityId("bestil")));
        assertEquals("STS refused the token request (HTTP 500): CVR claim 11111111 is not the CVR of the certificate", cvr.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StsConfig.of(sp.sts(), "2918984", sp.certificate("client"), null));
        assertEquals(List.of(false, false), sp.requests().stream().map(r -> r.get("accepted").getAsBoolean()).toList());
    }

    @Test
    void theAmqpTokenIsTheAssertionXmlForBeskedfordeler() throws Exception {
        StsClient sts = client(sp.cvr(), "client", Clock.systemUTC());
        Supplier<byte[]> token = sts.amqpToken(sp.amqpEntityId());
        byte[] first = token.get();
        Element a = Dom.parse(first).getDocumentElement();
        assertEquals(sp.amqpEntityId(), Dom.text(Dom.descendants(a, Dom.SAML, "Audience").get(0)));
        assertArrayEquals(first, token.get());
        assertEquals(1, sp.get("/tokens").getAsJsonArray().size());
        // The consumer takes it as its SASL EXTERNAL response, asked again on every connect.
        ConsumerConfig.builder("beskedfordeler.eksterntest-stoettesystemerne.dk", 5671, "dueslag").external(token)
                .deadLetterSink(letter -> { }).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> sts.amqpToken("urn:not:a:service").get());
        assertTrue(e.getMessage().startsWith("no token for Beskedfordeler: STS refused the token request"), e.getMessage());
    }
}
