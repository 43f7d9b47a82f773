package dk.eindkomst;

/** Which employer 6000 (person) layout to decode with (the CLI's {@code --person-layout}). */
public enum PersonLayout {
    /** The family's rules: line length, delivery date, then content. */
    AUTO,
    /** Always the current layout (with TIN). */
    CURRENT,
    /** Always the layout before the TIN fields (v7.1). */
    PRE_TIN,
    /** Always TaxCardBuilder's 99-byte 6000. */
    TAXCARDBUILDER
}
