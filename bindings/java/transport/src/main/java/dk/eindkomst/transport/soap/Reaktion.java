package dk.eindkomst.transport.soap;

import dk.eindkomst.transport.Redact;

/**
 * One {@code SvarReaktion} of an answer: a {@code Fejl} (the call failed) or an {@code Advis} (a notice).
 * Values are as the service sent them; {@link #toString()} masks 10-digit runs so a CPR number the
 * service may have echoed does not reach a log.
 *
 * @param art     FEJL or ADVIS
 * @param id      {@code FejlId} / {@code AdvisId}
 * @param tekst   {@code FejlTekst} / {@code AdvisTekst}
 * @param kildeId who raised it ({@code KildeId}), or {@code null}
 */
public record Reaktion(Art art, String id, String tekst, String kildeId) {
    /** The kind of a reaction. */
    public enum Art { FEJL, ADVIS }

    @Override
    public String toString() {
        // Ids masked too: every part is the service's text.
        return Redact.cpr(art + " " + id + (kildeId == null ? "" : " from " + kildeId) + ": " + tekst);
    }
}
