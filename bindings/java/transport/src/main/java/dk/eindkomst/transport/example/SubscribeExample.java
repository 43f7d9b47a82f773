package dk.eindkomst.transport.example;

import dk.eindkomst.transport.EngineIdentifiers;
import dk.eindkomst.transport.Tls;
import dk.eindkomst.transport.security.FunctionCertificate;
import dk.eindkomst.transport.security.StsClient;
import dk.eindkomst.transport.security.StsConfig;
import dk.eindkomst.transport.security.TokenSecurity;
import dk.eindkomst.transport.soap.AbonnentAdgang;
import dk.eindkomst.transport.soap.CallContext;
import dk.eindkomst.transport.soap.FejlSvarException;
import dk.eindkomst.transport.soap.IndkomstAbonnementVedligeholdClient;
import dk.eindkomst.transport.soap.SoapEndpoint;
import dk.eindkomst.transport.soap.Svar;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.LocalDate;
import java.util.List;
import java.util.Properties;

/**
 * Starts the subscription of CPR numbers: {@code SubscribeExample <environment.properties> <se-nr> <cpr>...}.
 * The properties file holds one environment's configuration; docs/transports.md shows one for exttest and one
 * for prod (keys: {@code keystore}, {@code keystore.password}, {@code truststore}, {@code truststore.password},
 * {@code cvr}, {@code sts.url}, {@code vedligehold.url}, {@code vedligehold.soapAction},
 * {@code vedligehold.entityId}, {@code serviceplatformen.certificate}, {@code abonnentTypeKode},
 * {@code abonnementTypeKode}, {@code adgangFormaalTypeKode}, {@code omfangTekst}). None has a default.
 */
public final class SubscribeExample {
    private SubscribeExample() {}

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            p.load(in);
        }
        char[] pw = need(p, "keystore.password").toCharArray();
        char[] trustPw = need(p, "truststore.password").toCharArray();
        var tls = Tls.fromPkcs12(Path.of(need(p, "keystore")), pw, Path.of(need(p, "truststore")), trustPw);
        var certificate = FunctionCertificate.fromPkcs12(Path.of(need(p, "keystore")), pw);
        var sts = new StsClient(StsConfig.of(URI.create(need(p, "sts.url")), need(p, "cvr"), certificate, tls));
        X509Certificate spCert;
        try (InputStream in = Files.newInputStream(Path.of(need(p, "serviceplatformen.certificate")))) {
            spCert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        var endpoint = SoapEndpoint.of(URI.create(need(p, "vedligehold.url")), need(p, "vedligehold.soapAction"), tls,
                new TokenSecurity(sts, need(p, "vedligehold.entityId"), spCert));
        var client = new IndkomstAbonnementVedligeholdClient(endpoint, CallContext.ofMunicipality(need(p, "cvr")),
                new AbonnentAdgang(need(p, "abonnentTypeKode"), need(p, "abonnementTypeKode"), need(p, "adgangFormaalTypeKode"),
                                   need(p, "omfangTekst")), new EngineIdentifiers());
        try {
            Svar svar = client.start(args[1], LocalDate.now(java.time.ZoneId.of("Europe/Copenhagen")), List.of(args).subList(2, args.length));
            System.out.println("subscribed, TransaktionsId " + svar.transaktionsId() + ", advis " + svar.advis());
        } catch (FejlSvarException e) {
            System.out.println("refused: " + e.fejl()); // Reaktion.toString masks CPR-like digits
        }
    }

    private static String need(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) throw new IllegalArgumentException("missing " + key + " in the configuration");
        return v.trim();
    }
}
