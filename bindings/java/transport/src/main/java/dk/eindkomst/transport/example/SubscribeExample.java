package dk.eindkomst.transport.example;

import dk.eindkomst.transport.EngineIdentifiers;
import dk.eindkomst.transport.Tls;
import dk.eindkomst.transport.soap.AbonnentAdgang;
import dk.eindkomst.transport.soap.CallContext;
import dk.eindkomst.transport.soap.FejlSvarException;
import dk.eindkomst.transport.soap.IndkomstAbonnementVedligeholdClient;
import dk.eindkomst.transport.soap.SoapEndpoint;
import dk.eindkomst.transport.soap.Svar;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;

/**
 * Starts the subscription of CPR numbers: {@code SubscribeExample <url> <soapAction> <keystore.p12> <password> <se-nr> <cpr>...}.
 * The codes are the demo values seen in public code; use the ones of your agreement with SKAT.
 */
public final class SubscribeExample {
    private SubscribeExample() {}

    public static void main(String[] args) throws Exception {
        var tls = Tls.fromPkcs12(Path.of(args[2]), args[3].toCharArray(), null, null);
        var endpoint = new SoapEndpoint(URI.create(args[0]), args[1], tls, Duration.ofSeconds(30), null);
        var client = new IndkomstAbonnementVedligeholdClient(endpoint, CallContext.ofMunicipality("29189846"),
                new AbonnentAdgang("0784", "3154", "272", null), new EngineIdentifiers());
        try {
            Svar svar = client.start(args[4], LocalDate.now(), List.of(args).subList(5, args.length));
            System.out.println("subscribed, TransaktionsId " + svar.transaktionsId() + ", advis " + svar.advis());
        } catch (FejlSvarException e) {
            System.out.println("refused: " + e.fejl()); // Reaktion.toString masks CPR-like digits
        }
    }
}
