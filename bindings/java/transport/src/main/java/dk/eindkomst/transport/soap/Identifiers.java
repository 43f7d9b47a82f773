package dk.eindkomst.transport.soap;

import dk.eindkomst.transport.IdentifierCheck;
import java.util.regex.Pattern;
import javax.xml.stream.XMLStreamException;

/** Shared request parts: checks of identifiers and the AbonnentAdgangStruktur. */
final class Identifiers {
    private Identifiers() {}

    /**
     * SKAT's {@code PersonCivilRegistrationIdentifierType} (cpr.dk core 2005/03/18), the pattern verbatim: a
     * DDMM date (29 February in any year) and 6 digits, or {@code 0000000000}. It refuses the day + 60
     * "erstatningspersonnumre" (and the project's synthetic day + 60 test CPRs): the service would too.
     */
    static final Pattern SKAT_CPR = Pattern.compile("((((0[1-9]|1[0-9]|2[0-9]|3[0-1])(01|03|05|07|08|10|12))|((0[1-9]|1[0-9]|2[0-9]|30)"
                                                    + "(04|06|09|11))|((0[1-9]|1[0-9]|2[0-9])(02)))[0-9]{6})|0000000000");
    static final String SKAT_CPR_TYPE = "SKAT's PersonCivilRegistrationIdentifierType";

    /** The engine's rule for the CPR field (digits, length), then SKAT's schema type. */
    static void checkCpr(IdentifierCheck engine, int index, String cpr) throws InvalidIdentifierException {
        String problem = cpr == null ? "missing" : engine.cprProblem(cpr);
        if (problem != null) throw new InvalidIdentifierException("CPR", index, problem);
        if (!SKAT_CPR.matcher(cpr).matches()) throw new InvalidIdentifierException("CPR", index, "not_a_date", SKAT_CPR_TYPE);
    }

    static void checkSeNr(IdentifierCheck engine, int index, String seNr) throws InvalidIdentifierException {
        String problem = seNr == null ? "missing" : engine.seNrProblem(seNr);
        if (problem != null) throw new InvalidIdentifierException("SE-nr", index, problem);
    }

    static void writeAdgang(XmlOut x, AbonnentAdgang a) throws XMLStreamException {
        x.start(Ns.FASE2, "AbonnentAdgangStruktur");
        x.leaf(Ns.ABONNENTTYPE, "AbonnentTypeKode", a.abonnentTypeKode());
        x.leaf(Ns.ABONNEMENTTYPE, "AbonnementTypeKode", a.abonnementTypeKode());
        x.leaf(Ns.ADGANGFORMAALTYPE, "AdgangFormaalTypeKode", a.adgangFormaalTypeKode());
        x.end();
    }
}
