package peers;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The main peer: the parser a case system (fagsystem) writes itself. BufferedReader
 * over ISO-8859-1, one parse method per record type (Records, String.substring per
 * field), the record-level rules of the spec (line length, Latin-1, Lb_nr sequence,
 * record order, CPR or SE in 6000, the 9999 count), BigDecimal sums per field number.
 *
 * Usage: java peers.HandParser FILE  (prints the totals, see Totals)
 */
public final class HandParser {
    private final P p = new P();
    private final Totals totals = new Totals();
    private final Map<String, BigDecimal> sum3101 = new HashMap<>();
    private final Map<String, BigDecimal> sum6001 = new HashMap<>();
    private BigDecimal sum6102, sum6111, sum6202; // null until a record has one
    private long lines, rejected, errors;
    private int nextLbNr = 1;
    // Record order (spec §3): which parent is open.
    private boolean company, request, report, person, ended;
    private int prev, holiday, periodEnd;
    private String personCountry;

    public static void main(String[] args) throws Exception {
        HandParser h = new HandParser();
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(new FileInputStream(args[0]), StandardCharsets.ISO_8859_1), 1 << 16)) {
            String line;
            while ((line = in.readLine()) != null) h.line(line);
        }
        h.finish();
    }

    private void line(String l) {
        lines++;
        if (l.isEmpty()) {
            rejected++;
            return;
        }
        try {
            record(l);
        } catch (P.BadLine e) {
            rejected++;
            prev = 0;
        }
    }

    private void record(String l) {
        for (int i = 0; i < l.length(); i++) {
            char c = l.charAt(i);
            if (c < 0x20 || (c >= 0x7F && c < 0xA0)) throw new P.BadLine("byte outside ISO-8859-1 printable", 0);
        }
        if (l.length() < 11) throw new P.BadLine("line too short", 0);
        int lbNr = p.intN(l, 0, 7, 'J', 1);
        if (lbNr != nextLbNr) errors++; // gap or repeat: reported, the line is still decoded
        nextLbNr = lbNr + 1;
        int rec = p.intN(l, 7, 11, 'J', 2);
        order(rec);
        switch (rec) {
            case 1000: length(l, Records.R1000.LENGTH); Records.parse1000(l, p); break;
            case 2001: length(l, Records.R2001.LENGTH); Records.parse2001(l, p); break;
            case 2101: length(l, Records.R2101.LENGTH); Records.parse2101(l, p); break;
            case 2111: length(l, Records.R2111.LENGTH); Records.parse2111(l, p); break;
            case 3101: {
                length(l, Records.R3101.LENGTH);
                Records.R3101 r = Records.parse3101(l, p);
                if (r.beloeb != null) sum3101.merge(r.feltnummer, r.beloeb, BigDecimal::add);
                break;
            }
            case 4101: length(l, Records.R4101.LENGTH); Records.parse4101(l, p); break;
            case 5000: {
                length(l, Records.R5000.LENGTH);
                Records.R5000 r = Records.parse5000(l, p);
                periodEnd = r.loenperiodeSlut == null ? 0
                        : r.loenperiodeSlut.getYear() * 10000 + r.loenperiodeSlut.getMonthValue() * 100 + r.loenperiodeSlut.getDayOfMonth();
                break;
            }
            case 6000: {
                // Before the TIN change (guide v10.8) the person record had the v7.1 layout.
                if (periodEnd != 0 && periodEnd < 20230701) {
                    length(l, Records.R6000PreTin.LENGTH);
                    Records.R6000PreTin r = Records.parse6000PreTin(l, p);
                    identity(r.personCprNr, r.personCvrSeNr);
                    personCountry = null;
                } else {
                    length(l, Records.R6000.LENGTH);
                    Records.R6000 r = Records.parse6000(l, p);
                    identity(r.personCprNr, r.personCvrSeNr);
                    personCountry = r.tinLandekode;
                }
                holiday = 0;
                break;
            }
            case 6001: {
                length(l, Records.R6001.LENGTH);
                Records.R6001 r = Records.parse6001(l, p);
                if (r.beloeb != null) sum6001.merge(r.feltnummer, r.beloeb, BigDecimal::add);
                break;
            }
            case 6002: length(l, Records.R6002.LENGTH); Records.parse6002(l, p); break;
            case 6003: length(l, Records.R6003.LENGTH); Records.parse6003(l, p); break;
            case 6004: length(l, Records.R6004.LENGTH); Records.parse6004(l, p); break;
            case 6005: length(l, Records.R6005.LENGTH); Records.parse6005(l, p); break;
            case 6102: {
                length(l, Records.R6102.LENGTH);
                Records.R6102 r = Records.parse6102(l, p);
                if (r.beloebFeriepenge != null) sum6102 = sum6102 == null ? r.beloebFeriepenge : sum6102.add(r.beloebFeriepenge);
                if (++holiday == 4) p.warnings++;
                break;
            }
            case 6202: {
                length(l, Records.R6202.LENGTH);
                Records.R6202 r = Records.parse6202(l, p);
                if (r.beloebFeriepenge != null) sum6202 = sum6202 == null ? r.beloebFeriepenge : sum6202.add(r.beloebFeriepenge);
                if (++holiday == 4) p.warnings++;
                break;
            }
            case 6111: {
                length(l, Records.R6111.LENGTH);
                Records.R6111 r = Records.parse6111(l, p);
                if (r.beloeb != null) sum6111 = sum6111 == null ? r.beloeb : sum6111.add(r.beloeb);
                break;
            }
            case 8001: {
                length(l, Records.R8001.LENGTH);
                Records.R8001 r = Records.parse8001(l, p);
                if (prev == 6000 && personCountry != null && !personCountry.isBlank() && !personCountry.equals(r.landekode)) p.warnings++;
                break;
            }
            case 9999: {
                length(l, Records.R9999.LENGTH);
                Records.R9999 r = Records.parse9999(l, p);
                long counted = lines - rejected; // records so far, this one included
                if (r.antalRecords != counted && !(r.antalRecords == counted + 1 && lbNr == counted)) errors++;
                break;
            }
            default:
                throw new P.BadLine("unknown record type", 2);
        }
        update(rec);
        totals.count(rec);
    }

    private static void length(String l, int expected) {
        if (l.length() != expected) throw new P.BadLine("wrong length", 0);
    }

    private static void identity(long cpr, int se) {
        if (cpr <= 0 && se <= 0) throw new P.BadLine("6000 without CPR and SE", 4);
    }

    /** The parent a record type needs must be open (spec §3). */
    private void order(int rec) {
        if (ended) throw new P.BadLine("record after 9999", 2);
        boolean ok;
        switch (rec) {
            case 2101: case 3101: case 4101: case 5000: ok = company; break;
            case 2111: ok = request; break;
            case 6000: ok = report; break;
            case 6001: case 6002: case 6003: case 6004: case 6005: case 6102: case 6202: case 6111: ok = person; break;
            case 8001: ok = prev == 6000 || prev == 2101; break;
            default: ok = true;
        }
        if (!ok) throw new P.BadLine("record out of order", 2);
    }

    private void update(int rec) {
        switch (rec) {
            case 2001: company = true; request = report = person = false; break;
            case 2101: request = true; report = person = false; break;
            case 3101: case 4101: request = report = person = false; break;
            case 5000: report = true; request = person = false; break;
            case 6000: person = true; break;
            case 9999: ended = true; break;
            default:
        }
        prev = rec;
    }

    private void finish() {
        if (!ended) errors++;
        sum3101.forEach((k, v) -> totals.amount("3101/" + k, v));
        sum6001.forEach((k, v) -> totals.amount("6001/" + k, v));
        totals.amount("6102", sum6102);
        totals.amount("6111", sum6111);
        totals.amount("6202", sum6202);
        totals.print();
        System.err.printf("java hand-written: %d lines, %d rejected, %d stream errors, %d warnings%n", lines, rejected, errors, p.warnings);
    }
}
