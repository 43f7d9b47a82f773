package dk.eindkomst;

/**
 * The engine's rule for error texts ({@code eindkomst::mask_cpr_like}), for the
 * texts this binding makes itself: ten digits, or six, a hyphen and four, with
 * no digit either side, each become {@code **********}. Every host-made
 * message that holds a caller's value (a number out of range, a family's name,
 * a file path) goes through it, so no CPR number reaches a log through it.
 */
final class Redact {
    private Redact() {}

    private static boolean digit(String s, int i) {
        return i >= 0 && i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9';
    }

    private static boolean digits(String s, int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (!digit(s, i)) {
                return false;
            }
        }
        return true;
    }

    /** The length of a CPR-like run at {@code i}, or 0. */
    private static int cprAt(String s, int i) {
        if (digit(s, i - 1) || !digits(s, i, 6)) {
            return 0;
        }
        if (digits(s, i + 6, 4) && !digit(s, i + 10)) {
            return 10;
        }
        if (i + 6 < s.length() && s.charAt(i + 6) == '-' && digits(s, i + 7, 4) && !digit(s, i + 11)) {
            return 11;
        }
        return 0;
    }

    /** {@code text} with its CPR-like runs masked. */
    static String maskCprLike(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        int i = 0;
        int copied = 0;
        while (i < text.length()) {
            int n = cprAt(text, i);
            if (n > 0) {
                if (out == null) {
                    out = new StringBuilder(text.length());
                }
                out.append(text, copied, i).append("**********");
                i += n;
                copied = i;
            } else {
                i++;
            }
        }
        return out == null ? text : out.append(text, copied, text.length()).toString();
    }
}
