package dk.eindkomst;

/** Which 6000 layout the decoder uses ({@code eik_options.person_layout}). */
public enum PersonLayout {
    /** Tell the current and the pre-TIN layout apart by the line. */
    AUTO,
    /** Always the current layout. */
    CURRENT,
    /** Always the layout before the TIN fields. */
    PRE_TIN
}
