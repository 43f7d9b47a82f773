package dk.eindkomst.transportdouble;

import java.util.regex.Pattern;

/** CPR-like digit runs are masked in everything the double reports (schema errors quote the values). */
final class Mask {
    private Mask() {}

    private static final Pattern CPR_LIKE = Pattern.compile("(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])");

    static String cpr(String text) {
        return text == null ? null : CPR_LIKE.matcher(text).replaceAll("**********");
    }
}
