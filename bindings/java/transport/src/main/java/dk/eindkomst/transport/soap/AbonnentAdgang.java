package dk.eindkomst.transport.soap;

/**
 * The codes of the municipality's subscription agreement with SKAT ({@code fase2:AbonnentAdgangStruktur}),
 * which together with the SE-nr make up the data delimitation (dataafgrænsning) v3 requires. Codes are
 * digit strings, kept as given (leading zeros included).
 *
 * @param abonnentTypeKode      {@code AbonnentTypeKode}
 * @param abonnementTypeKode    {@code AbonnementTypeKode} (the "abonnementskode")
 * @param adgangFormaalTypeKode {@code AdgangFormaalTypeKode}
 * @param omfangTekst           {@code AbonnentAdgangOmfangTypeTekst}: mandatory in Vedligehold (second child of
 *                              {@code PersonIndkomstAbonnementInddata} in SKAT's schema); Bestil does not send it.
 *                              Its values are not public: take it from the agreement, there is no default.
 */
public record AbonnentAdgang(String abonnentTypeKode, String abonnementTypeKode, String adgangFormaalTypeKode,
                             String omfangTekst) {
    public AbonnentAdgang {
        for (String c : new String[] {abonnentTypeKode, abonnementTypeKode, adgangFormaalTypeKode}) {
            if (c == null || !c.matches("[0-9]{1,9}")) {
                throw new IllegalArgumentException("subscription codes must be 1-9 digits");
            }
        }
        if (omfangTekst == null || omfangTekst.isBlank()) {
            throw new IllegalArgumentException("omfangTekst (AbonnentAdgangOmfangTypeTekst) is mandatory");
        }
    }
}
