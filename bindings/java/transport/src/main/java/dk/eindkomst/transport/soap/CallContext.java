package dk.eindkomst.transport.soap;

/**
 * The Serviceplatformen call context that goes into {@code kontekst:HovedOplysninger} of every request
 * (after the per-call {@code TransaktionsId} and {@code TransaktionsTid}, which the client sets itself).
 * Every field is optional ({@code null} = left out); strings are at most 255 characters.
 *
 * @param onBehalfOfUser                user id in the calling system
 * @param callersServiceCallIdentifier  the caller's own id for the call
 * @param accountingInfo                free accounting text
 * @param municipalityCvr               {@code AuthorityContext/MunicipalityCVR}, 8 digits
 */
public record CallContext(String onBehalfOfUser, String callersServiceCallIdentifier, String accountingInfo,
                          String municipalityCvr) {
    public CallContext {
        for (String s : new String[] {onBehalfOfUser, callersServiceCallIdentifier, accountingInfo}) {
            if (s != null && s.length() > 255) throw new IllegalArgumentException("call context value longer than 255");
        }
        if (municipalityCvr != null && !municipalityCvr.matches("[0-9]{8}")) {
            throw new IllegalArgumentException("MunicipalityCVR must be 8 digits");
        }
    }

    /** A context with only the municipality's CVR. */
    public static CallContext ofMunicipality(String cvr) {
        return new CallContext(null, null, null, cvr);
    }
}
