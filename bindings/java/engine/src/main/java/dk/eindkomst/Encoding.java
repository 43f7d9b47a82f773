package dk.eindkomst;

/** How characters are encoded (the CLI's {@code --encoding}). */
public enum Encoding {
    /** ISO-8859-1, unless the file is UTF-8 (decided per file; one {@code utf8_encoded} warning). */
    AUTO,
    /** Always ISO-8859-1, the format's encoding. */
    LATIN1,
    /** Always UTF-8, transcoded to ISO-8859-1 before slicing. */
    UTF8
}
