package dk.eindkomst.transport.soap;

import dk.eindkomst.transport.IdentifierCheck;
import javax.xml.stream.XMLStreamException;

/** Shared request parts: engine checks of identifiers and the AbonnentAdgangStruktur. */
final class Identifiers {
    private Identifiers() {}

    static void checkCpr(IdentifierCheck engine, int index, String cpr) throws InvalidIdentifierException {
        String problem = cpr == null ? "missing" : engine.cprProblem(cpr);
        if (problem != null) throw new InvalidIdentifierException("CPR", index, problem);
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
