package dk.eindkomst.transport.soap;

import java.util.List;

/**
 * A successful answer (no {@code Fejl}).
 *
 * @param transaktionsId the echoed {@code TransaktionsId} of the request
 * @param advis          notices the service attached (may be empty)
 * @param bestillingId   {@code AbonnentBestillingIdentifikator} (IndkomstOplysningVirksomhedAbonnentBestil only,
 *                       else {@code null}); correlate later deliveries with it
 */
public record Svar(String transaktionsId, List<Reaktion> advis, String bestillingId) {
    public Svar {
        advis = List.copyOf(advis);
    }
}
