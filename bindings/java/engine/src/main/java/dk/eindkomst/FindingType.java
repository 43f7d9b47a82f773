package dk.eindkomst;

/** What kind of event a {@link Finding} is. */
public enum FindingType {
    /** A line that could not be decoded: counted as rejected, no record. */
    REJECTED("rejected"),
    /** A problem of the stream rather than of one line; no line is dropped by it. */
    ERROR("error"),
    /** Something uncertain about a record that was decoded. */
    WARNING("warning");

    private final String label;

    FindingType(String label) {
        this.label = label;
    }

    /** "rejected", "error" or "warning", as the CLI prints it. */
    public String label() {
        return label;
    }
}
