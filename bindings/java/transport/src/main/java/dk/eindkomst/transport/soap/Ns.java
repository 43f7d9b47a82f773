package dk.eindkomst.transport.soap;

/** XML namespaces of the two SF0770_E SOAP services (see docs/transports.md and the spec's section 1). */
public final class Ns {
    private Ns() {}

    public static final String SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
    public static final String WSA = "http://www.w3.org/2005/08/addressing";
    public static final String SBF = "urn:liberty:sb:2006-08";
    public static final String SBF_PROFILE = "urn:liberty:sb:profile";
    public static final String KOMBIT = "http://www.kombit.dk/2017/01/01/";
    public static final String KONTEKST = "http://kombit.dk/xml/schemas/kontekst/2017/01/01/";
    public static final String FASE2 = "http://rep.oio.dk/skat.dk/eindkomst/";
    private static final String EIK_CLASS = "http://rep.oio.dk/skat.dk/eindkomst/class/";
    public static final String ABONNENTTYPE = EIK_CLASS + "abonnenttype/xml/schemas/20071202/";
    public static final String ABONNEMENTTYPE = EIK_CLASS + "abonnementtype/xml/schemas/20071202/";
    public static final String ADGANGFORMAALTYPE = EIK_CLASS + "adgangformaaltype/xml/schemas/20071202/";
    public static final String OMFANGTYPE = EIK_CLASS + "abonnentadgangomfangtype/xml/schemas/20071202/";
    public static final String MEDARBEJDER = EIK_CLASS + "indkomstoplysningadgangmedarbejderidentifikator/xml/schemas/20071202/";
    public static final String SOEGEFRA = EIK_CLASS + "soegeaarmaanedfrakode/xml/schemas/20071202/";
    public static final String SOEGETIL = EIK_CLASS + "soegeaarmaanedtilkode/xml/schemas/20071202/";
    public static final String BESTILLING = EIK_CLASS + "abonnentbestillingidentifikator/xml/schemas/20071202/";
    public static final String VIRKSOMHED = "http://rep.oio.dk/skat.dk/motor/class/virksomhed/xml/schemas/20080401/";
    public static final String CPR = "http://rep.oio.dk/cpr.dk/xml/schemas/core/2005/03/18/";
    public static final String XKOM_START = "http://rep.oio.dk/xkom.dk/xml/schemas/2006/09/01/";
    public static final String XKOM_END = "http://rep.oio.dk/xkom.dk/xml/schemas/2007/04/15/";
    public static final String SPF = "http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/";

    /** Prefix used for each namespace in the envelopes this package writes. */
    static final String[][] PREFIXES = {
        {"soap", SOAP}, {"wsa", WSA}, {"sbf", SBF}, {"sbfprofile", SBF_PROFILE},
        {"kombit2017", KOMBIT}, {"kontekst", KONTEKST}, {"fase2", FASE2},
        {"abonnenttype", ABONNENTTYPE}, {"abonnementtype", ABONNEMENTTYPE},
        {"adgangformaaltype", ADGANGFORMAALTYPE}, {"abonnentadgangomfangtype", OMFANGTYPE},
        {"medarbejder", MEDARBEJDER}, {"soegefra", SOEGEFRA}, {"soegetil", SOEGETIL},
        {"virksomhed", VIRKSOMHED}, {"cpr", CPR}, {"xkom2006", XKOM_START}, {"xkom2007", XKOM_END},
    };
}
