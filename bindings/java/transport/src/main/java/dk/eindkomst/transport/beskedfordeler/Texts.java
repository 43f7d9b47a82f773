package dk.eindkomst.transport.beskedfordeler;

import java.util.regex.Pattern;

/** Text helpers for reasons that leave the adapter (dead letters, REST answers, logs). */
final class Texts {
    private Texts() {}

    private static final Pattern CPR_LIKE = Pattern.compile("(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])");

    /** Masks CPR-like digit runs (ten digits, optionally 6-4 with a hyphen), e.g. in a schema validator's message. */
    static String maskCprLike(String text) {
        return text == null ? null : CPR_LIKE.matcher(text).replaceAll("**********");
    }
}
