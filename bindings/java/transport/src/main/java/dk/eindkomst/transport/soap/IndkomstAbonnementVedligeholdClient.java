package dk.eindkomst.transport.soap;

import dk.eindkomst.transport.IdentifierCheck;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import javax.xml.stream.XMLStreamException;

/**
 * Client for IndkomstAbonnementVedligehold v3: starts or stops the person subscription of CPR numbers
 * under an SE-nr and the agreement's codes. The request is
 * {@code kombit2017:IndkomstOplysningPersonAbonnementAjourfoer_I} (the spec's most probable shape, section 1.3);
 * the answer carries only {@code HovedOplysningerSvar}. Every CPR and the SE-nr are checked by the engine
 * before anything is sent. Thread-safe.
 */
public final class IndkomstAbonnementVedligeholdClient {
    static final String REQUEST = "IndkomstOplysningPersonAbonnementAjourfoer_I";
    static final String RESPONSE = "IndkomstOplysningPersonAbonnementAjourfoer_O";

    private final SoapCall call;
    private final AbonnentAdgang adgang;
    private final IdentifierCheck engine;

    public IndkomstAbonnementVedligeholdClient(SoapEndpoint endpoint, CallContext context, AbonnentAdgang adgang,
                                               IdentifierCheck engine) {
        this(endpoint, context, adgang, engine, Clock.systemUTC());
    }

    IndkomstAbonnementVedligeholdClient(SoapEndpoint endpoint, CallContext context, AbonnentAdgang adgang,
                                        IdentifierCheck engine, Clock clock) {
        this.call = new SoapCall(endpoint, Objects.requireNonNull(context), clock);
        this.adgang = Objects.requireNonNull(adgang);
        this.engine = Objects.requireNonNull(engine);
    }

    /** Subscribes {@code cprs} under {@code seNr} from {@code start} ({@code PersonStartAbonnementSamling}). */
    public Svar start(String seNr, LocalDate start, List<String> cprs) throws SoapException {
        return send(seNr, true, start, cprs);
    }

    /** Ends the subscription of {@code cprs} under {@code seNr} at {@code end} ({@code PersonSlutAbonnementSamling}). */
    public Svar stop(String seNr, LocalDate end, List<String> cprs) throws SoapException {
        return send(seNr, false, end, cprs);
    }

    private Svar send(String seNr, boolean start, LocalDate date, List<String> cprs) throws SoapException {
        Objects.requireNonNull(date, "date");
        if (cprs.isEmpty()) throw new IllegalArgumentException("at least one CPR number is needed");
        Identifiers.checkSeNr(engine, 0, seNr);
        for (int i = 0; i < cprs.size(); i++) Identifiers.checkCpr(engine, i, cprs.get(i));
        SoapCall.Answer a = call.call(REQUEST, RESPONSE, x -> inddata(x, seNr, start, date, cprs));
        return new Svar(a.transaktionsId(), a.advis(), null);
    }

    private void inddata(XmlOut x, String seNr, boolean start, LocalDate date, List<String> cprs) throws XMLStreamException {
        x.start(Ns.KOMBIT, "PersonIndkomstAbonnementInddata");
        Identifiers.writeAdgang(x, adgang);
        x.leaf(Ns.OMFANGTYPE, "AbonnentAdgangOmfangTypeTekst", adgang.omfangTekst());
        x.chain(Ns.FASE2, new String[] {"AbonnentVirksomhedStruktur", "AbonnentVirksomhed"},
                Ns.VIRKSOMHED, "VirksomhedSENummerIdentifikator", seNr);
        x.start(Ns.FASE2, "PersonAbonnementSamling");
        if (start) {
            x.start(Ns.FASE2, "PersonStartAbonnementSamling");
            x.chain(Ns.FASE2, new String[] {"PersonStart"}, Ns.XKOM_START, "StartDate", date.toString());
        } else {
            x.start(Ns.FASE2, "PersonSlutAbonnementSamling");
            x.chain(Ns.FASE2, new String[] {"PersonSlut"}, Ns.XKOM_END, "EndDate", date.toString());
        }
        x.start(Ns.FASE2, "PersonSamling").start(Ns.FASE2, "Person").start(Ns.FASE2, "PersonListe");
        for (String cpr : cprs) x.leaf(Ns.CPR, "PersonCivilRegistrationIdentifier", cpr);
        x.end().end().end();
        x.end().end().end();
    }
}
