package dk.eindkomst.transport;

import java.util.regex.Pattern;

/**
 * Masks CPR-like digit runs (ten digits, optionally 6-4 with a hyphen) in texts that come from a peer or a parser
 * (SOAP faults and reactions, STS faults, schema validator messages) before they go into exception messages, dead
 * letters or answers.
 */
public final class Redact {
    private Redact() {}

    private static final Pattern CPR_LIKE = Pattern.compile("(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])");

    public static String cpr(String text) {
        return text == null ? null : CPR_LIKE.matcher(text).replaceAll("**********");
    }
}
