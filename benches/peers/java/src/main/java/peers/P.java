package peers;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.Set;

/**
 * Field helpers of the hand-written parser: the checks a careful case system makes
 * per field (the same rules as the eindkomst core: digits, calendar dates, times,
 * signs, code lists, mandatory fields). A bad field throws {@link BadLine}; a doubtful
 * one (blank 'J?' field, unknown code in an open list, sub-øre amount) counts a warning.
 *
 * Mandatory flags: J mandatory, T mandatory in TaxCardBuilder only (warn), C conditional,
 * N optional, U unknown.
 */
final class P {
    static final int NONE = 0, COUNTRY = 1, YEAR = 2;

    /** A line that is rejected, with the field number that failed. */
    static final class BadLine extends RuntimeException {
        final int field;

        BadLine(String what, int field) {
            super(what, null, false, false);
            this.field = field;
        }
    }

    long warnings;

    static boolean blank(String l, int a, int b) {
        for (int i = a; i < b; i++) if (l.charAt(i) != ' ') return false;
        return true;
    }

    static boolean zeros(String l, int a, int b) {
        for (int i = a; i < b; i++) if (l.charAt(i) != '0') return false;
        return true;
    }

    /** True when the field is blank and allowed to be (after a warning for 'T'). */
    private boolean absent(String l, int a, int b, char m, int no) {
        if (!blank(l, a, b)) return false;
        if (m == 'J') throw new BadLine("missing mandatory field", no);
        if (m == 'T') warnings++;
        return true;
    }

    /** Integer.parseInt also takes a leading sign; a numeric field may not have one. */
    private static void digitFirst(String l, int a, int no) {
        char c = l.charAt(a);
        if (c < '0' || c > '9') throw new BadLine("not a digit", no);
    }

    int intN(String l, int a, int b, char m, int no) {
        if (absent(l, a, b, m, no)) return -1;
        digitFirst(l, a, no);
        try {
            return Integer.parseInt(l.substring(a, b));
        } catch (NumberFormatException e) {
            throw new BadLine("not a digit", no);
        }
    }

    long longN(String l, int a, int b, char m, int no) {
        if (absent(l, a, b, m, no)) return -1;
        digitFirst(l, a, no);
        try {
            return Long.parseLong(l.substring(a, b));
        } catch (NumberFormatException e) {
            throw new BadLine("not a digit", no);
        }
    }

    LocalDate date(String l, int a, int b, char m, int no) {
        if (absent(l, a, b, m, no)) return null;
        String s = l.substring(a, b);
        for (int i = 0; i < 8; i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') throw new BadLine("not a digit", no);
        if (m != 'J' && zeros(l, a, b)) return null; // optional date written as zeros: not given
        try {
            return LocalDate.of(Integer.parseInt(s.substring(0, 4)), Integer.parseInt(s.substring(4, 6)),
                    Integer.parseInt(s.substring(6, 8)));
        } catch (DateTimeException e) {
            throw new BadLine("invalid date", no);
        }
    }

    LocalTime time(String l, int a, int b, char m, int no) {
        if (absent(l, a, b, m, no)) return null;
        String s = l.substring(a, b);
        for (int i = 0; i < 6; i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') throw new BadLine("not a digit", no);
        try {
            return LocalTime.of(Integer.parseInt(s.substring(0, 2)), Integer.parseInt(s.substring(2, 4)),
                    Integer.parseInt(s.substring(4, 6)));
        } catch (DateTimeException e) {
            throw new BadLine("invalid time", no);
        }
    }

    /** An amount or quantity: digits/10^scale with the sign of the field at {@code signAt}. */
    BigDecimal decimal(String l, int a, int b, int scale, int signAt, char m, int no) {
        if (absent(l, a, b, m, no)) return null;
        digitFirst(l, a, no);
        long units;
        try {
            units = Long.parseLong(l.substring(a, b));
        } catch (NumberFormatException e) {
            throw new BadLine("not a digit", no);
        }
        if (scale > 2 && units % 10_000 != 0) warnings++; // finer than øre
        BigDecimal v = BigDecimal.valueOf(units, scale);
        return l.charAt(signAt) == '-' ? v.negate() : v;
    }

    /** '+' or '-'; blank only when the value before it is blank and not mandatory. */
    char sign(String l, int at, int pa, int pb, char m, int no) {
        char c = l.charAt(at);
        if (c == '+' || c == '-') return c;
        if (c == ' ' && m != 'J' && blank(l, pa, pb)) return ' ';
        throw new BadLine("invalid sign", no);
    }

    String code(String l, int a, int b, Set<String> set, boolean closed, boolean numeric, int pattern, char m, int no) {
        String s = l.substring(a, b);
        if (!set.contains(s)) {
            if (absent(l, a, b, m, no)) return null;
            if (numeric) for (int i = 0; i < s.length(); i++)
                if (s.charAt(i) < '0' || s.charAt(i) > '9') throw new BadLine("not a digit", no);
            if (pattern == COUNTRY && s.length() == 2 && upper(s.charAt(0)) && upper(s.charAt(1))) return s;
            if (pattern == YEAR) return s; // four digits, checked above
            if (numeric && !closed && m != 'J' && zeros(l, a, b)) return s; // zero-filled optional code
            if (closed) throw new BadLine("invalid code", no);
            warnings++;
        }
        return s;
    }

    private static boolean upper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    String text(String l, int a, int b, char m, int no) {
        if (absent(l, a, b, m, no)) return null;
        return l.substring(a, b).trim();
    }
}
