package dk.eindkomst.transport.soap;

import java.util.List;

/** The service answered, but with one or more {@code Fejl} (a business error): nothing was changed. */
public final class FejlSvarException extends SoapException {
    private static final long serialVersionUID = 1L;
    private final String transaktionsId;
    private final transient List<Reaktion> reaktioner;

    FejlSvarException(String transaktionsId, List<Reaktion> reaktioner) {
        super("service answered with Fejl: " + reaktioner.stream().filter(r -> r.art() == Reaktion.Art.FEJL).toList(), null);
        this.transaktionsId = transaktionsId;
        this.reaktioner = List.copyOf(reaktioner);
    }

    /** The echoed {@code TransaktionsId}. */
    public String transaktionsId() { return transaktionsId; }

    /** All reactions of the answer, Fejl and Advis, in document order. */
    public List<Reaktion> reaktioner() { return reaktioner; }

    /** Only the Fejl reactions. */
    public List<Reaktion> fejl() {
        return reaktioner.stream().filter(r -> r.art() == Reaktion.Art.FEJL).toList();
    }
}
