package dk.eindkomst;

/**
 * Decoder settings; immutable, each {@code with} method returns a copy.
 *
 * <pre>{@code Options o = Options.lenient().strict(true).base64(true);}</pre>
 */
public final class Options {
    private final boolean strict;
    private final boolean base64;
    private final boolean unknownCodesReject;
    private final int amountScale;
    private final PersonLayout personLayout;

    private Options(boolean strict, boolean base64, boolean unknownCodesReject, int amountScale,
            PersonLayout personLayout) {
        if (amountScale < 0 || amountScale > 16) {
            throw new IllegalArgumentException("amount scale must be 0-16, not " + amountScale);
        }
        this.strict = strict;
        this.base64 = base64;
        this.unknownCodesReject = unknownCodesReject;
        this.amountScale = amountScale;
        this.personLayout = personLayout;
    }

    /** The defaults: report findings and go on, plain input, amount scale 6, 6000 layout auto. */
    public static Options lenient() {
        return new Options(false, false, false, 6, PersonLayout.AUTO);
    }

    /** The defaults, but the first rejected line or stream error throws {@link EindkomstException}. */
    public static Options strict() {
        return lenient().strict(true);
    }

    /** Stop (throw) at the first rejected line or stream error. */
    public Options strict(boolean on) {
        return new Options(on, base64, unknownCodesReject, amountScale, personLayout);
    }

    /** The input is Base64 text (a Beskedfordeler message body); whitespace is skipped. */
    public Options base64(boolean on) {
        return new Options(strict, on, unknownCodesReject, amountScale, personLayout);
    }

    /** A code outside an open value set rejects the line instead of warning. */
    public Options unknownCodesReject(boolean on) {
        return new Options(strict, base64, on, amountScale, personLayout);
    }

    /** Decimals in 16-digit amounts, 0-16 (default 6). */
    public Options amountScale(int decimals) {
        return new Options(strict, base64, unknownCodesReject, decimals, personLayout);
    }

    /** Which 6000 layout to use. */
    public Options personLayout(PersonLayout layout) {
        return new Options(strict, base64, unknownCodesReject, amountScale, layout);
    }

    /** Whether strict mode is on. */
    public boolean isStrict() {
        return strict;
    }

    /** Whether the input is Base64. */
    public boolean isBase64() {
        return base64;
    }

    /** Whether unknown codes reject the line. */
    public boolean isUnknownCodesReject() {
        return unknownCodesReject;
    }

    /** Decimals in 16-digit amounts. */
    public int amountScale() {
        return amountScale;
    }

    /** The 6000 layout choice. */
    public PersonLayout personLayout() {
        return personLayout;
    }
}
