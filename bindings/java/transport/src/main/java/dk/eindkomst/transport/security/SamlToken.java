package dk.eindkomst.transport.security;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * A SAML 2.0 holder-of-key assertion from the STS, kept as the exact XML the STS issued (its signature
 * covers it).
 *
 * @param xml          the {@code saml:Assertion} element as XML text
 * @param id           its {@code ID}
 * @param audience     the entity id it was issued for
 * @param notOnOrAfter end of validity ({@code Conditions/@NotOnOrAfter})
 */
public record SamlToken(String xml, String id, String audience, Instant notOnOrAfter) {
    public SamlToken {
        Objects.requireNonNull(xml, "xml");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(notOnOrAfter, "notOnOrAfter");
    }

    /** The assertion as UTF-8 bytes: the SASL EXTERNAL response Beskedfordeler expects. */
    public byte[] bytes() {
        return xml.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "SamlToken[" + id + " for " + audience + " until " + notOnOrAfter + "]";
    }
}
