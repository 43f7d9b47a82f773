package dk.eindkomst.transport.soap;

import java.time.YearMonth;
import java.util.List;
import java.util.Objects;

/**
 * An order for IndkomstOplysningVirksomhedAbonnentBestil v2: income reported by {@code indberetterSeNr}
 * for the income months {@code fra}..{@code til}, optionally only for {@code cprs}.
 *
 * @param abonnentSeNr     the ordering SE-nr (the municipality's subscription)
 * @param medarbejderId    caseworker id ({@code IndkomstOplysningAdgangMedarbejderIdentifikator}), or {@code null}
 * @param indberetterSeNr  reporting employers' SE-numbers, at least one
 * @param fra              first income month ({@code SoegeAarMaanedFraKode})
 * @param til              last income month ({@code SoegeAarMaanedTilKode}), or {@code null} for open-ended
 * @param cprs             CPR numbers to limit the order to; empty for everyone
 */
public record Bestilling(String abonnentSeNr, String medarbejderId, List<String> indberetterSeNr, YearMonth fra,
                         YearMonth til, List<String> cprs) {
    public Bestilling {
        Objects.requireNonNull(fra, "fra");
        indberetterSeNr = List.copyOf(indberetterSeNr);
        cprs = List.copyOf(cprs);
        if (indberetterSeNr.isEmpty()) throw new IllegalArgumentException("at least one reporting SE-nr is needed");
        if (til != null && til.isBefore(fra)) throw new IllegalArgumentException("til before fra");
    }
}
