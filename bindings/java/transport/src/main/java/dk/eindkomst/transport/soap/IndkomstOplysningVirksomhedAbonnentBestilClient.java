package dk.eindkomst.transport.soap;

import dk.eindkomst.transport.IdentifierCheck;
import java.time.Clock;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import javax.xml.stream.XMLStreamException;
import org.w3c.dom.Element;

/**
 * Client for IndkomstOplysningVirksomhedAbonnentBestil v2: orders income data reported by given
 * SE-numbers for a period of income months, optionally for given CPRs (the spec's most probable shape,
 * section 1.4). The answer's order id ({@code AbonnentBestillingIdentifikator}) is returned in
 * {@link Svar#bestillingId()}; the data itself arrives later over Beskedfordeler or SFTP. All SE-numbers
 * and CPRs are checked by the engine before anything is sent. Thread-safe.
 */
public final class IndkomstOplysningVirksomhedAbonnentBestilClient {
    static final String REQUEST = "IndkomstOplysningVirksomhedAbonnentBestil_I_I";
    static final String RESPONSE = "IndkomstOplysningVirksomhedAbonnentBestil_I_O";
    private static final DateTimeFormatter YYYYMM = DateTimeFormatter.ofPattern("uuuuMM");

    private final SoapCall call;
    private final AbonnentAdgang adgang;
    private final IdentifierCheck engine;

    public IndkomstOplysningVirksomhedAbonnentBestilClient(SoapEndpoint endpoint, CallContext context,
                                                            AbonnentAdgang adgang, IdentifierCheck engine) {
        this(endpoint, context, adgang, engine, Clock.systemUTC());
    }

    IndkomstOplysningVirksomhedAbonnentBestilClient(SoapEndpoint endpoint, CallContext context, AbonnentAdgang adgang,
                                                    IdentifierCheck engine, Clock clock) {
        this.call = new SoapCall(endpoint, Objects.requireNonNull(context), clock);
        this.adgang = Objects.requireNonNull(adgang);
        this.engine = Objects.requireNonNull(engine);
    }

    /** Sends the order; returns the order id and any Advis. */
    public Svar bestil(Bestilling b) throws SoapException {
        Identifiers.checkSeNr(engine, 0, b.abonnentSeNr());
        for (int i = 0; i < b.indberetterSeNr().size(); i++) Identifiers.checkSeNr(engine, i + 1, b.indberetterSeNr().get(i));
        for (int i = 0; i < b.cprs().size(); i++) Identifiers.checkCpr(engine, i, b.cprs().get(i));
        SoapCall.Answer a = call.call(REQUEST, RESPONSE, x -> inddata(x, b));
        Element uddata = SoapCall.child(a.root(), Ns.KOMBIT, "IndkomstOplysningVirksomhedAbonnentBestilUddata");
        Element id = uddata == null ? null : SoapCall.child(uddata, Ns.BESTILLING, "AbonnentBestillingIdentifikator");
        if (id == null || SoapCall.text(id).isEmpty()) {
            throw new SoapTransportException("answer without AbonnentBestillingIdentifikator", null);
        }
        return new Svar(a.transaktionsId(), a.advis(), SoapCall.text(id));
    }

    private void inddata(XmlOut x, Bestilling b) throws XMLStreamException {
        x.start(Ns.KOMBIT, "IndkomstOplysningVirksomhedAbonnentBestilInddata");
        Identifiers.writeAdgang(x, adgang);
        x.start(Ns.FASE2, "AbonnentSamling").start(Ns.FASE2, "Abonnent");
        x.start(Ns.FASE2, "AbonnentStruktur");
        x.chain(Ns.FASE2, new String[] {"AbonnentVirksomhedStruktur", "AbonnentVirksomhed"},
                Ns.VIRKSOMHED, "VirksomhedSENummerIdentifikator", b.abonnentSeNr());
        if (b.medarbejderId() != null) x.leaf(Ns.MEDARBEJDER, "IndkomstOplysningAdgangMedarbejderIdentifikator", b.medarbejderId());
        x.end();
        x.start(Ns.FASE2, "IndkomstSoegeValg").start(Ns.FASE2, "IndkomstVirksomhedSamling");
        for (String se : b.indberetterSeNr()) {
            x.start(Ns.FASE2, "IndkomstVirksomhed");
            x.start(Ns.FASE2, "IndkomstVirksomhedOplysningAabenSoegeStruktur");
            x.chain(Ns.FASE2, new String[] {"IndberetningPligtigVirksomhedStruktur", "IndberetningPligtigVirksomhed"},
                    Ns.VIRKSOMHED, "VirksomhedSENummerIdentifikator", se);
            x.start(Ns.FASE2, "SoegeAarMaanedAabenStruktur");
            x.leaf(Ns.SOEGEFRA, "SoegeAarMaanedFraKode", yyyymm(b.fra()));
            if (b.til() != null) x.leaf(Ns.SOEGETIL, "SoegeAarMaanedTilKode", yyyymm(b.til()));
            x.end().end();
            x.start(Ns.FASE2, "PersonVirksomhedValg");
            for (String cpr : b.cprs()) {
                // SKAT's IndkomstPersonVirksomhedStruktur: a choice of Person (a CPR) or Virksomhed.
                x.chain(Ns.FASE2, new String[] {"IndkomstPersonVirksomhedStruktur", "PersonVirksomhedValg", "Person"}, Ns.CPR,
                        "PersonCivilRegistrationIdentifier", cpr);
            }
            x.end();
            x.end();
        }
        x.end().end();
        x.end().end();
        x.end();
    }

    private static String yyyymm(YearMonth m) {
        return m.format(YYYYMM);
    }
}
