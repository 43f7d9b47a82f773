package dk.eindkomst;

/**
 * The filter's accounting. Once the stream is read, {@code seen} is the
 * decoder's {@link Counts#decoded()} and {@code seen == passed + filteredOut()}:
 * nothing disappears without a count.
 *
 * @param seen records given to the filter (every decoded record)
 * @param passed records passed on (headers included)
 * @param held headers held now, waiting for a record under them (0 at the end)
 * @param cpr filtered out: CPR not in the set
 * @param se filtered out: employer's SE-nr not in the set
 * @param recordType filtered out: record type not selected (or not in the profile)
 * @param felt filtered out: felt number not selected (or not in the profile)
 * @param period filtered out: income period outside the period
 * @param parentDropped filtered out: the record it belongs to (person, employer, ...) was dropped
 * @param emptyHeader filtered out: a header with nothing kept under it
 */
public record FilterCounts(long seen, long passed, long held, long cpr, long se, long recordType, long felt,
        long period, long parentDropped, long emptyHeader) {

    /** The sum of the reasons. */
    public long filteredOut() {
        return cpr + se + recordType + felt + period + parentDropped + emptyHeader;
    }

    /** The CLI's line: {@code filter: seen 27, passed 12, filtered out 15 (cpr 0, se 0, ...)}. */
    @Override
    public String toString() {
        return "filter: seen " + seen + ", passed " + passed + ", filtered out " + filteredOut() + " (cpr " + cpr
                + ", se " + se + ", record_type " + recordType + ", felt " + felt + ", period " + period
                + ", parent_dropped " + parentDropped + ", empty_header " + emptyHeader + ")";
    }
}
