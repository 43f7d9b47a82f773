package dk.eindkomst.transport.soap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dk.eindkomst.transport.IdentifierCheck;
import dk.eindkomst.transport.TestEngine;
import dk.eindkomst.transport.TransportDouble;
import dk.eindkomst.transport.security.StsClient;
import dk.eindkomst.transport.security.StsConfig;
import dk.eindkomst.transport.security.TokenSecurity;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** Both SOAP clients against the transport double, every call with an STS token and WS-Security. */
class SoapClientTest {
    // Synthetic CPR numbers. SKAT's schema refuses the day + 60 convention, so requests that must pass use a
    // birth date in 2057 (century digit 5-8 with year 57), which belongs to nobody.
    static final String CPR_A = "0101575123";
    static final String CPR_B = "1502578456";
    static final String SE = "12345678";
    static final String SE_OUTSIDE = "87654321";
    static final AbonnentAdgang ADGANG = new AbonnentAdgang("0784", "3154", "272", "Fuld");
    static final CallContext FULL_CONTEXT = new CallContext("sagsbehandler-7", "call-42", "konto 1", "29189846");

    static TransportDouble sp;
    static StsClient sts;
    IdentifierCheck engine = TestEngine.identifierCheck();

    @BeforeAll
    static void start() throws Exception {
        sp = TransportDouble.shared();
        sts = new StsClient(StsConfig.of(sp.sts(), sp.cvr(), sp.certificate("client"), sp.tls("client")));
    }

    @BeforeEach
    void reset() throws Exception {
        sp.post("/reset");
    }

    static SoapEndpoint endpoint(String service) throws Exception {
        return SoapEndpoint.of(sp.url(service), sp.soapAction(service), sp.tls("client"),
                               new TokenSecurity(sts, sp.entityId(service), sp.spCertificate()));
    }

    IndkomstAbonnementVedligeholdClient vedligehold(CallContext ctx) throws Exception {
        return new IndkomstAbonnementVedligeholdClient(endpoint("vedligehold"), ctx, ADGANG, engine);
    }

    IndkomstOplysningVirksomhedAbonnentBestilClient bestil() throws Exception {
        return new IndkomstOplysningVirksomhedAbonnentBestilClient(endpoint("bestil"), CallContext.ofMunicipality("29189846"), ADGANG, engine);
    }

    /** The double accepted every service request, without warnings from the reconstructed wrapper schema. */
    static List<JsonObject> accepted(int n) throws Exception {
        List<JsonObject> rs = sp.serviceRequests();
        assertEquals(n, rs.size());
        for (JsonObject r : rs) {
            assertTrue(r.get("accepted").getAsBoolean(), () -> "refused: " + r.get("refusal"));
            assertEquals(0, r.getAsJsonArray("warnings").size(), () -> "warnings: " + r.get("warnings"));
        }
        return rs;
    }

    @Test
    void startSubscribesEveryCprAndEchoesTheTransaction() throws Exception {
        Svar svar = vedligehold(FULL_CONTEXT).start(SE, LocalDate.of(2025, 2, 1), List.of(CPR_A, CPR_B));
        JsonObject r = accepted(1).get(0);
        assertEquals(r.get("transaktionsId").getAsString(), svar.transaktionsId());
        assertEquals(List.of(), svar.advis());
        assertNull(svar.bestillingId());
        assertEquals(List.of(CPR_A, CPR_B), sp.subscriptions(SE));
        Document d = TransportDouble.body(r);
        assertEquals("2025-02-01", TransportDouble.text(d, Ns.XKOM_START, "StartDate"));
        assertEquals("3154", TransportDouble.text(d, Ns.ABONNEMENTTYPE, "AbonnementTypeKode"));
        assertEquals("Fuld", TransportDouble.text(d, Ns.OMFANGTYPE, "AbonnentAdgangOmfangTypeTekst"));
        assertEquals("29189846", TransportDouble.text(d, Ns.KONTEKST, "MunicipalityCVR"));
        assertEquals("sagsbehandler-7", TransportDouble.text(d, Ns.KONTEKST, "OnBehalfOfUser"));
        assertEquals(List.of(CPR_A, CPR_B), TransportDouble.texts(d, Ns.CPR, "PersonCivilRegistrationIdentifier"));
    }

    @Test
    void repeatedStartGivesAdvisAndStopRemoves() throws Exception {
        var client = vedligehold(CallContext.ofMunicipality("29189846"));
        client.start(SE, LocalDate.of(2025, 2, 1), List.of(CPR_A, CPR_B));
        Svar again = client.start(SE, LocalDate.of(2025, 2, 1), List.of(CPR_A));
        assertEquals(List.of(new Reaktion(Reaktion.Art.ADVIS, "210", "Person er allerede tilmeldt abonnementet", "SKAT")), again.advis());
        Svar stopped = client.stop(SE, LocalDate.of(2025, 3, 31), List.of(CPR_B));
        assertEquals(List.of(), stopped.advis());
        assertEquals(List.of(CPR_A), sp.subscriptions(SE));
        List<JsonObject> rs = accepted(3);
        assertEquals("2025-03-31", TransportDouble.text(TransportDouble.body(rs.get(2)), Ns.XKOM_END, "EndDate"));
    }

    @Test
    void seOutsideTheDataDelimitationIsAFejl() throws Exception {
        FejlSvarException e = assertThrows(FejlSvarException.class,
                () -> vedligehold(FULL_CONTEXT).start(SE_OUTSIDE, LocalDate.of(2025, 2, 1), List.of(CPR_A)));
        assertEquals(List.of(new Reaktion(Reaktion.Art.FEJL, "4100", "SE-nr er ikke omfattet af dataafgrænsningen", "Serviceplatformen")),
                     e.fejl());
        assertEquals(accepted(1).get(0).get("transaktionsId").getAsString(), e.transaktionsId());
        assertEquals(List.of(), sp.subscriptions(SE_OUTSIDE));
    }

    @Test
    void platformFaultIsTypedAndMasksCprLikeText() throws Exception {
        sp.post("/fault?code=SP-1001&text=Ugyldigt%20token%20for%20" + CPR_A);
        ServiceplatformFaultException e = assertThrows(ServiceplatformFaultException.class,
                () -> vedligehold(FULL_CONTEXT).start(SE, LocalDate.of(2025, 2, 1), List.of(CPR_A)));
        assertEquals(500, e.httpStatus());
        assertEquals("soap:Server", e.faultCode());
        assertEquals("Serviceplatformen fejl", e.faultString());
        assertEquals(List.of(new ServiceplatformFaultException.PlatformError("SP-1001", "Ugyldigt token for " + CPR_A)), e.errors());
        assertFalse(e.getMessage().contains(CPR_A), e.getMessage());
        assertTrue(e.getMessage().contains("SP-1001"), e.getMessage());
        assertEquals(List.of(), sp.subscriptions(SE));
    }

    @Test
    void identifiersAreCheckedBeforeAnythingIsSent() throws Exception {
        var client = vedligehold(FULL_CONTEXT);
        InvalidIdentifierException cpr = assertThrows(InvalidIdentifierException.class,
                () -> client.start(SE, LocalDate.of(2025, 2, 1), List.of(CPR_A, "71128X4321")));
        assertEquals("CPR", cpr.field());
        assertEquals("not_digit", cpr.code());
        assertEquals("CPR #2 rejected by the engine: not_digit", cpr.getMessage());

        InvalidIdentifierException se = assertThrows(InvalidIdentifierException.class,
                () -> client.start("1234567 ", LocalDate.of(2025, 2, 1), List.of(CPR_A)));
        assertEquals("SE-nr", se.field());
        assertEquals("SE-nr #1 rejected by the engine: not_digit", se.getMessage());
        assertEquals("wrong_length", assertThrows(InvalidIdentifierException.class,
                () -> client.stop(SE, LocalDate.of(2025, 2, 1), List.of("010157512"))).code());

        // SKAT's PersonCivilRegistrationIdentifierType: DDMM must be a date. Day + 60 and 30 February are not.
        for (String bad : List.of("6101901234", "3002575123", "3104575123", "0113575123")) {
            InvalidIdentifierException e = assertThrows(InvalidIdentifierException.class,
                    () -> client.start(SE, LocalDate.of(2025, 2, 1), List.of(CPR_A, bad)), bad);
            assertEquals("not_a_date", e.code());
            assertEquals("CPR #2 rejected by SKAT's PersonCivilRegistrationIdentifierType: not_a_date", e.getMessage());
        }
        InvalidIdentifierException orderSe = assertThrows(InvalidIdentifierException.class,
                () -> bestil().bestil(new Bestilling(SE, null, List.of("5555555A"), YearMonth.of(2025, 1), null, List.of())));
        assertEquals("SE-nr #2 rejected by the engine: not_digit", orderSe.getMessage());
        assertEquals(List.of(), sp.requests());

        // SKAT's type also allows 0000000000 ("required but unknown"), but the engine does not: no person to subscribe.
        assertEquals("CPR #1 rejected by the engine: no_identity", assertThrows(InvalidIdentifierException.class,
                () -> client.start(SE, LocalDate.of(2025, 2, 1), List.of("0000000000"))).getMessage());
        assertEquals(List.of(), sp.requests());
        // 29 February (any year, as in SKAT's pattern) is sent.
        client.start(SE, LocalDate.of(2025, 2, 1), List.of("2902575123"));
        accepted(1);
        assertEquals(List.of("2902575123"), sp.subscriptions(SE));
    }

    @Test
    void orderReturnsTheOrderIdAndPutsEachCprWhereSkatsSchemaWantsIt() throws Exception {
        Svar svar = bestil().bestil(new Bestilling(SE, "sb-77", List.of("11111111", "22222222"), YearMonth.of(2025, 1),
                                                   YearMonth.of(2025, 3), List.of(CPR_A, CPR_B)));
        JsonObject r = accepted(1).get(0);
        assertEquals(sp.orders(), List.of(svar.bestillingId()));
        assertEquals(r.get("transaktionsId").getAsString(), svar.transaktionsId());
        Document d = TransportDouble.body(r);
        assertEquals(List.of("12345678", "11111111", "22222222"), TransportDouble.texts(d, Ns.VIRKSOMHED, "VirksomhedSENummerIdentifikator"));
        assertEquals(List.of("202501", "202501"), TransportDouble.texts(d, Ns.SOEGEFRA, "SoegeAarMaanedFraKode"));
        assertEquals(List.of("202503", "202503"), TransportDouble.texts(d, Ns.SOEGETIL, "SoegeAarMaanedTilKode"));
        assertEquals("sb-77", TransportDouble.text(d, Ns.MEDARBEJDER, "IndkomstOplysningAdgangMedarbejderIdentifikator"));
        // IndkomstPersonVirksomhedStruktur/PersonVirksomhedValg/Person/cpr:PersonCivilRegistrationIdentifier, per SE-nr.
        var cprs = d.getElementsByTagNameNS(Ns.CPR, "PersonCivilRegistrationIdentifier");
        assertEquals(4, cprs.getLength());
        for (int i = 0; i < cprs.getLength(); i++) {
            var person = cprs.item(i).getParentNode();
            assertEquals("Person", person.getLocalName());
            assertEquals("PersonVirksomhedValg", person.getParentNode().getLocalName());
            assertEquals("IndkomstPersonVirksomhedStruktur", person.getParentNode().getParentNode().getLocalName());
        }
    }

    @Test
    void orderOutsideTheDelimitationIsAFejl() throws Exception {
        FejlSvarException e = assertThrows(FejlSvarException.class,
                () -> bestil().bestil(new Bestilling(SE_OUTSIDE, null, List.of("11111111"), YearMonth.of(2025, 1), null, List.of())));
        assertEquals("4100", e.fejl().get(0).id());
        assertEquals(List.of(), sp.orders());
        accepted(1);
    }

    @Test
    void omfangTekstIsMandatory() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AbonnentAdgang("0784", "3154", "272", null));
        assertEquals("omfangTekst (AbonnentAdgangOmfangTypeTekst) is mandatory", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AbonnentAdgang("0784", "3154", "272", " "));
    }

    @Test
    void nonSoapErrorAndUnreachableServerAreTransportErrors() throws Exception {
        sp.post("/raw?status=502");
        SoapTransportException bad = assertThrows(SoapTransportException.class,
                () -> vedligehold(FULL_CONTEXT).start(SE, LocalDate.of(2025, 2, 1), List.of(CPR_A)));
        assertTrue(bad.getMessage().startsWith("HTTP 502 with no usable SOAP envelope"), bad.getMessage());

        URI closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = URI.create("https://127.0.0.1:" + s.getLocalPort() + "/service");
        }
        var client = new IndkomstAbonnementVedligeholdClient(
                new SoapEndpoint(closed, sp.soapAction("vedligehold"), sp.tls("client"), Duration.ofSeconds(2),
                                 new TokenSecurity(sts, sp.entityId("vedligehold"), sp.spCertificate())), FULL_CONTEXT, ADGANG, engine);
        assertThrows(SoapTransportException.class, () -> client.start(SE, LocalDate.of(2025, 2, 1), List.of(CPR_A)));
    }

    /** The shipped example, configured as docs/transports.md shows, against the double. */
    @Test
    void theSubscribeExampleRunsWithAnEnvironmentFile() throws Exception {
        Path env = java.nio.file.Files.createTempFile("eik-example-", ".properties");
        try {
            java.nio.file.Files.writeString(env, String.join("\n",
                    "keystore=" + sp.certs.resolve("client.p12"), "keystore.password=changeit",
                    "truststore=" + sp.certs.resolve("trust.p12"), "truststore.password=changeit", "cvr=" + sp.cvr(),
                    "sts.url=" + sp.sts(), "vedligehold.url=" + sp.url("vedligehold"),
                    "vedligehold.soapAction=" + sp.soapAction("vedligehold"), "vedligehold.entityId=" + sp.entityId("vedligehold"),
                    "serviceplatformen.certificate=" + sp.certs.resolve("sp.crt"),
                    "abonnentTypeKode=0784", "abonnementTypeKode=3154", "adgangFormaalTypeKode=272", "omfangTekst=Fuld"));
            var out = new ByteArrayOutputStream();
            var stdout = System.out;
            System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
            try {
                dk.eindkomst.transport.example.SubscribeExample.main(new String[] {env.toString(), SE, CPR_A});
            } finally {
                System.setOut(stdout);
            }
            JsonObject r = accepted(1).get(0);
            assertEquals("subscribed, TransaktionsId " + r.get("transaktionsId").getAsString() + ", advis []\n", out.toString(StandardCharsets.UTF_8));
            assertEquals(List.of(CPR_A), sp.subscriptions(SE));
            java.nio.file.Files.writeString(env, "keystore=x\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> dk.eindkomst.transport.example.SubscribeExample.main(new String[] {env.toString(), SE, CPR_A}));
            assertEquals("missing keystore.password in the configuration", e.getMessage());
        } finally {
            java.nio.file.Files.delete(env);
        }
    }

    /** The request head as a plain-HTTP server sees it: HTTP/1.1, and no h2c upgrade offer. */
    @Test
    void speaksHttp11Only() throws Exception {
        AtomicReference<String> head = new AtomicReference<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    while (!b.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) b.write(in.read());
                    head.set(b.toString(StandardCharsets.ISO_8859_1));
                    s.getOutputStream().write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                } catch (Exception e) {
                    head.set("capture failed: " + e);
                }
            });
            t.start();
            SoapSecurity none = new SoapSecurity() {
                @Override public byte[] secure(byte[] envelope) { return envelope; }
                @Override public void verifyAnswer(byte[] answer, boolean fault) { }
            };
            var client = new IndkomstAbonnementVedligeholdClient(
                    SoapEndpoint.of(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/capture"), "urn:test#capture", null, none),
                    FULL_CONTEXT, ADGANG, engine);
            assertThrows(SoapTransportException.class, () -> client.start(SE, LocalDate.of(2025, 2, 1), List.of(CPR_A)));
            t.join(10_000);
        }
        assertTrue(head.get().startsWith("POST /capture HTTP/1.1\r\n"), head.get());
        assertFalse(head.get().toLowerCase(java.util.Locale.ROOT).contains("upgrade"), head.get());
        assertFalse(head.get().toLowerCase(java.util.Locale.ROOT).contains("http2-settings"), head.get());
    }
}
