package dk.eindkomst;

import java.util.Objects;

/**
 * Decoder settings; immutable, each setter returns a copy.
 *
 * <pre>{@code Options o = Options.lenient().strict(true).base64(true).family(Family.load(path));}</pre>
 */
public final class Options {
    private final boolean strict;
    private final boolean base64;
    private final boolean unknownCodesReject;
    private final int amountScale;
    private final PersonLayout personLayout;
    private final Family family;
    private final Encoding encoding;
    private final boolean unknownRaw;
    private final Layout forcedLayout;

    private Options(boolean strict, boolean base64, boolean unknownCodesReject, int amountScale,
            PersonLayout personLayout, Family family, Encoding encoding, boolean unknownRaw, Layout forcedLayout) {
        if (amountScale < 0 || amountScale > 16) {
            throw new IllegalArgumentException(Redact.maskCprLike("amount scale must be 0-16, not " + amountScale));
        }
        this.strict = strict;
        this.base64 = base64;
        this.unknownCodesReject = unknownCodesReject;
        this.amountScale = amountScale;
        this.personLayout = Objects.requireNonNull(personLayout, "personLayout");
        this.family = family;
        this.encoding = Objects.requireNonNull(encoding, "encoding");
        this.unknownRaw = unknownRaw;
        this.forcedLayout = forcedLayout;
    }

    /** The defaults: report findings and go on, plain input, amount scale 6, employer family, encoding auto. */
    public static Options lenient() {
        return new Options(false, false, false, 6, PersonLayout.AUTO, null, Encoding.AUTO, false, null);
    }

    /** The defaults, but stop at the first rejected line or stream error. */
    public static Options strict() {
        return lenient().strict(true);
    }

    /** Stop at the first rejected line or stream error (throws {@link EindkomstException}). */
    public Options strict(boolean on) {
        return new Options(on, base64, unknownCodesReject, amountScale, personLayout, family, encoding, unknownRaw,
                forcedLayout);
    }

    /** The input is Base64 text (a Beskedfordeler message body). */
    public Options base64(boolean on) {
        return new Options(strict, on, unknownCodesReject, amountScale, personLayout, family, encoding, unknownRaw,
                forcedLayout);
    }

    /** A code outside an open value set rejects the line instead of warning. */
    public Options unknownCodesReject(boolean on) {
        return new Options(strict, base64, on, amountScale, personLayout, family, encoding, unknownRaw, forcedLayout);
    }

    /** Decimals in amounts, 0-16 (default 6). */
    public Options amountScale(int decimals) {
        return new Options(strict, base64, unknownCodesReject, decimals, personLayout, family, encoding, unknownRaw,
                forcedLayout);
    }

    /** Which employer 6000 layout to use (default {@link PersonLayout#AUTO}). */
    public Options personLayout(PersonLayout layout) {
        return new Options(strict, base64, unknownCodesReject, amountScale, layout, family, encoding, unknownRaw,
                forcedLayout);
    }

    /** The record family (default {@link Family#employer()}). */
    public Options family(Family f) {
        return new Options(strict, base64, unknownCodesReject, amountScale, personLayout, f, encoding, unknownRaw,
                forcedLayout);
    }

    /** How characters are encoded (default {@link Encoding#AUTO}). */
    public Options encoding(Encoding e) {
        return new Options(strict, base64, unknownCodesReject, amountScale, personLayout, family, e, unknownRaw,
                forcedLayout);
    }

    /** Pass lines with an unknown record key through ({@link EindkomstDecoder#raw()}) instead of rejecting them. */
    public Options unknownRaw(boolean on) {
        return new Options(strict, base64, unknownCodesReject, amountScale, personLayout, family, encoding, on,
                forcedLayout);
    }

    /** Always read its record type with {@code layout} (a layout of the family, e.g. a variant). */
    public Options forceLayout(Layout layout) {
        return new Options(strict, base64, unknownCodesReject, amountScale, personLayout, family, encoding, unknownRaw,
                layout);
    }

    /** Whether the decoder stops at the first rejected line or stream error. */
    public boolean isStrict() {
        return strict;
    }

    /** Whether the input is Base64 text. */
    public boolean isBase64() {
        return base64;
    }

    /** Whether a code outside an open value set rejects the line. */
    public boolean isUnknownCodesReject() {
        return unknownCodesReject;
    }

    /** Decimals in amounts. */
    public int amountScale() {
        return amountScale;
    }

    /** Which employer 6000 layout is used. */
    public PersonLayout personLayout() {
        return personLayout;
    }

    /** The record family. */
    public Family family() {
        return family != null ? family : Family.employer();
    }

    /** How characters are encoded. */
    public Encoding encoding() {
        return encoding;
    }

    /** Whether lines with an unknown record key pass through raw. */
    public boolean isUnknownRaw() {
        return unknownRaw;
    }

    /** The layout forced for its record type, or null. */
    public Layout forcedLayout() {
        return forcedLayout;
    }

    /** Writes these options into a native {@code eik_options} filled with the defaults. */
    void write(com.sun.jna.Pointer o) {
        o.setPointer(Abi.OPTIONS_FAMILY, family().handle);
        o.setByte(Abi.OPTIONS_STRICT, (byte) (strict ? 1 : 0));
        o.setByte(Abi.OPTIONS_BASE64, (byte) (base64 ? 1 : 0));
        o.setByte(Abi.OPTIONS_UNKNOWN_CODES_REJECT, (byte) (unknownCodesReject ? 1 : 0));
        o.setByte(Abi.OPTIONS_AMOUNT_SCALE, (byte) amountScale);
        o.setByte(Abi.OPTIONS_PERSON_LAYOUT, (byte) personLayout.ordinal());
        o.setByte(Abi.OPTIONS_ENCODING, (byte) encoding.ordinal());
        o.setByte(Abi.OPTIONS_UNKNOWN, (byte) (unknownRaw ? Abi.UNKNOWN_RAW : Abi.UNKNOWN_REJECT));
        if (forcedLayout != null) {
            o.setShort(Abi.OPTIONS_FORCED_LAYOUTS, (short) forcedLayout.index());
        }
    }
}
