package dk.eindkomst.transport.beskedfordeler;

/** Which body a channel receives. */
public enum BodyForm {
    /** AMQP (BeskedHent): the body is a {@code Haendelsesbesked}. */
    HAENDELSESBESKED(Envelope.KUVERT, "Haendelsesbesked"),
    /** REST (BeskedFåTilsendt): the body is a {@code ModtagBeskedInput} holding one {@code Haendelsesbesked}. */
    MODTAG_BESKED_INPUT(Envelope.STS, "ModtagBeskedInput");

    final String ns;
    final String local;

    BodyForm(String ns, String local) {
        this.ns = ns;
        this.local = local;
    }
}
