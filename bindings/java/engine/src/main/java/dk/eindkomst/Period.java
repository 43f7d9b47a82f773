package dk.eindkomst;

import java.time.LocalDate;
import java.util.Objects;

/**
 * An income period, both days included: a record is kept when its period
 * (5000 Lønperiode, 3101 Periode) overlaps it.
 *
 * @param from first day
 * @param to last day
 */
public record Period(LocalDate from, LocalDate to) {
    /** Checks that the period does not end before it starts. */
    public Period {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("the period ends before it starts");
        }
    }

    /**
     * The month of {@code today} and the {@code months} whole months before it
     * (the CLI's {@code --period last:N@YYYY-MM-DD}); SF2860's "current month
     * plus three months back" is {@code lastMonths(3, today)}.
     */
    public static Period lastMonths(int months, LocalDate today) {
        if (months < 0) {
            throw new IllegalArgumentException("months must be 0 or more");
        }
        LocalDate first = today.withDayOfMonth(1);
        return new Period(first.minusMonths(months), first.plusMonths(1).minusDays(1));
    }

    static int yyyymmdd(LocalDate d) {
        return d.getYear() * 10000 + d.getMonthValue() * 100 + d.getDayOfMonth();
    }

    /** {@code 2025-01-01..2025-03-31}, the CLI's form. */
    @Override
    public String toString() {
        return from + ".." + to;
    }
}
