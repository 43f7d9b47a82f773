package dk.eindkomst.transport.soap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dk.eindkomst.transport.IdentifierCheck;
import dk.eindkomst.transport.TestEngine;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SoapClientTest {
    // Synthetic CPR numbers (day + 60) and SE-numbers.
    static final String CPR_A = "6101901234";
    static final String CPR_B = "7112854321";
    static final String SE = "12345678";
    static final String SE_OUTSIDE = "87654321";
    static final AbonnentAdgang ADGANG = new AbonnentAdgang("0784", "3154", "272", "Fuld");
    static final CallContext FULL_CONTEXT = new CallContext("sagsbehandler-7", "call-42", "konto 1", "29189846");

    SoapDouble sp;
    IdentifierCheck engine = TestEngine.identifierCheck();

    @BeforeEach
    void start() throws Exception {
        sp = new SoapDouble(Set.of(SE));
    }

    @AfterEach
    void stop() {
        sp.close();
    }

    IndkomstAbonnementVedligeholdClient vedligehold(CallContext ctx) {
        return new IndkomstAbonnementVedligeholdClient(
                SoapEndpoint.of(sp.uri(SoapDouble.VEDLIGEHOLD_PATH), SoapDouble.VEDLIGEHOLD_ACTION), ctx, ADGANG, engine);
    }

    IndkomstOplysningVirksomhedAbonnentBestilClient bestil() {
        return new IndkomstOplysningVirksomhedAbonnentBestilClient(
                SoapEndpoint.of(sp.uri(SoapDouble.BESTIL_PATH), SoapDouble.BESTIL_ACTION), CallContext.ofMunicipality("29189846"),
                ADGANG, engine);
    }

    @Test
    void startSubscribesEveryCprAndEchoesTheTransaction() throws Exception {
        sp.expectShape("vedligehold-start.shape");
        Svar svar = vedligehold(FULL_CONTEXT).start(SE, LocalDate.of(2025, 2, 1), List.of(CPR_A, CPR_B));
        assertEquals(List.of(), sp.problems);
        assertEquals(1, sp.requests.size());
        SoapDouble.Request r = sp.requests.get(0);
        assertEquals(r.transaktionsId(), svar.transaktionsId());
        assertEquals(List.of(), svar.advis());
        assertNull(svar.bestillingId());
        assertEquals(List.of(CPR_A, CPR_B), List.copyOf(sp.subscriptions.get(SE)));
        // values, not only the shape
        assertEquals("2025-02-01", SoapDouble.textOf(SoapDouble.all(r.root(), Ns.XKOM_START, "StartDate").get(0)));
        assertEquals("3154", SoapDouble.textOf(SoapDouble.all(r.root(), Ns.ABONNEMENTTYPE, "AbonnementTypeKode").get(0)));
        assertEquals("Fuld", SoapDouble.textOf(SoapDouble.all(r.root(), Ns.OMFANGTYPE, "AbonnentAdgangOmfangTypeTekst").get(0)));
        assertEquals("29189846", SoapDouble.textOf(SoapDouble.all(r.root(), Ns.KONTEKST, "MunicipalityCVR").get(0)));
        assertEquals("sagsbehandler-7", SoapDouble.textOf(SoapDouble.all(r.root(), Ns.KONTEKST, "OnBehalfOfUser").get(0)));
    }

    @Test
    void repeatedStartGivesAdvisAndStopRemoves() throws Exception {
        var client = vedligehold(CallContext.ofMunicipality("29189846"));
        client.start(SE, LocalDate.of(2025, 2, 1), List.of(CPR_A, CPR_B));
        Svar again = client.start(SE, LocalDate.of(2025, 2, 1), List.of(CPR_A));
        assertEquals(List.of(new Reaktion(Reaktion.Art.ADVIS, "210", "Person er allerede tilmeldt abonnementet", "SKAT")), again.advis());

        sp.expectShape("vedligehold-stop.shape");
        Svar stopped = client.stop(SE, LocalDate.of(2025, 3, 31), List.of(CPR_B));
        assertEquals(List.of(), sp.problems);
        assertEquals(List.of(), stopped.advis());
        assertEquals(List.of(CPR_A), List.copyOf(sp.subscriptions.get(SE)));
        assertEquals("2025-03-31", SoapDouble.textOf(SoapDouble.all(sp.requests.get(2).root(), Ns.XKOM_END, "EndDate").get(0)));
        assertEquals(3, sp.requests.size());
    }

    @Test
    void seOutsideTheDataDelimitationIsAFejl() {
        FejlSvarException e = assertThrows(FejlSvarException.class,
                () -> vedligehold(FULL_CONTEXT).start(SE_OUTSIDE, LocalDate.of(2025, 2, 1), List.of(CPR_A)));
        assertEquals(List.of(new Reaktion(Reaktion.Art.FEJL, "4100", "SE-nr er ikke omfattet af dataafgrænsningen", "Serviceplatformen")),
                     e.fejl());
        assertEquals(sp.requests.get(0).transaktionsId(), e.transaktionsId());
        assertNull(sp.subscriptions.get(SE_OUTSIDE));
        assertEquals(List.of(), sp.problems);
    }

    @Test
    void platformFaultIsTypedAndMasksCprLikeText() {
        sp.failNext("SP-1001", "Ugyldigt token for " + CPR_A);
        ServiceplatformFaultException e = assertThrows(ServiceplatformFaultException.class,
                () -> vedligehold(FULL_CONTEXT).start(SE, LocalDate.of(2025, 2, 1), List.of(CPR_A)));
        assertEquals(500, e.httpStatus());
        assertEquals("soap:Server", e.faultCode());
        assertEquals("Serviceplatformen fejl", e.faultString());
        assertEquals(List.of(new ServiceplatformFaultException.PlatformError("SP-1001", "Ugyldigt token for " + CPR_A)), e.errors());
        assertFalse(e.getMessage().contains(CPR_A), e.getMessage());
        assertTrue(e.getMessage().contains("SP-1001"), e.getMessage());
        assertNull(sp.subscriptions.get(SE));
    }

    @Test
    void engineRejectsBadIdentifiersBeforeAnythingIsSent() {
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

        InvalidIdentifierException shortCpr = assertThrows(InvalidIdentifierException.class,
                () -> client.stop(SE, LocalDate.of(2025, 2, 1), List.of("610190123")));
        assertEquals("wrong_length", shortCpr.code());

        InvalidIdentifierException orderSe = assertThrows(InvalidIdentifierException.class,
                () -> bestil().bestil(new Bestilling(SE, null, List.of("5555555A"), YearMonth.of(2025, 1), null, List.of())));
        assertEquals("SE-nr #2 rejected by the engine: not_digit", orderSe.getMessage());
        assertEquals(0, sp.requests.size());
        assertEquals(List.of(), sp.problems);
    }

    @Test
    void orderReturnsTheOrderId() throws Exception {
        sp.expectShape("bestil.shape");
        Svar svar = bestil().bestil(new Bestilling(SE, "sb-77", List.of("11111111", "22222222"), YearMonth.of(2025, 1),
                                                   YearMonth.of(2025, 3), List.of(CPR_A)));
        assertEquals(List.of(), sp.problems);
        assertEquals(1, sp.issuedOrders.size());
        assertEquals(sp.issuedOrders.get(0), svar.bestillingId());
        assertEquals(sp.requests.get(0).transaktionsId(), svar.transaktionsId());
        var root = sp.requests.get(0).root();
        assertEquals(List.of("12345678", "11111111", "22222222"),
                     SoapDouble.all(root, Ns.VIRKSOMHED, "VirksomhedSENummerIdentifikator").stream().map(SoapDouble::textOf).toList());
        assertEquals(List.of("202501", "202501"),
                     SoapDouble.all(root, Ns.SOEGEFRA, "SoegeAarMaanedFraKode").stream().map(SoapDouble::textOf).toList());
        assertEquals(List.of("202503", "202503"),
                     SoapDouble.all(root, Ns.SOEGETIL, "SoegeAarMaanedTilKode").stream().map(SoapDouble::textOf).toList());
        assertEquals("sb-77", SoapDouble.textOf(SoapDouble.all(root, Ns.MEDARBEJDER, "IndkomstOplysningAdgangMedarbejderIdentifikator").get(0)));
    }

    @Test
    void orderOutsideTheDelimitationIsAFejl() {
        FejlSvarException e = assertThrows(FejlSvarException.class,
                () -> bestil().bestil(new Bestilling(SE_OUTSIDE, null, List.of("11111111"), YearMonth.of(2025, 1), null, List.of())));
        assertEquals("4100", e.fejl().get(0).id());
        assertEquals(0, sp.issuedOrders.size());
    }

    @Test
    void nonSoapErrorAndUnreachableServerAreTransportErrors() throws Exception {
        sp.rawNext(502);
        SoapTransportException bad = assertThrows(SoapTransportException.class,
                () -> vedligehold(FULL_CONTEXT).start(SE, LocalDate.of(2025, 2, 1), List.of(CPR_A)));
        assertTrue(bad.getMessage().startsWith("HTTP 502 with no usable SOAP envelope"), bad.getMessage());

        URI closed;
        try (SoapDouble gone = new SoapDouble(Set.of(SE))) {
            closed = gone.uri(SoapDouble.VEDLIGEHOLD_PATH);
        }
        var client = new IndkomstAbonnementVedligeholdClient(
                new SoapEndpoint(closed, SoapDouble.VEDLIGEHOLD_ACTION, null, Duration.ofSeconds(2), null), FULL_CONTEXT, ADGANG, engine);
        assertThrows(SoapTransportException.class, () -> client.start(SE, LocalDate.of(2025, 2, 1), List.of(CPR_A)));
    }

    @Test
    void securityHookSeesTheFinishedEnvelope() throws Exception {
        var seen = new java.util.concurrent.atomic.AtomicReference<String>();
        var client = new IndkomstAbonnementVedligeholdClient(
                new SoapEndpoint(sp.uri(SoapDouble.VEDLIGEHOLD_PATH), SoapDouble.VEDLIGEHOLD_ACTION, null, Duration.ofSeconds(5),
                                 env -> { seen.set(new String(env, java.nio.charset.StandardCharsets.UTF_8)); return env; }),
                FULL_CONTEXT, ADGANG, engine);
        client.start(SE, LocalDate.of(2025, 2, 1), List.of(CPR_A));
        assertTrue(seen.get().contains("<kontekst:TransaktionsId>" + sp.requests.get(0).transaktionsId() + "</kontekst:TransaktionsId>"));
    }
}
