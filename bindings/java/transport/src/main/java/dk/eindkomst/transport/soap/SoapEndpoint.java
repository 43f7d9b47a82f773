package dk.eindkomst.transport.soap;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Where and how one service is called. The {@code soapAction} is configuration because the SF0770_E
 * operation names are not published; the SSL context carries the keystore with the function certificate.
 * Test endpoints (never used by the tests, which stay on loopback):
 * {@code https://exttest.serviceplatformen.dk/service/SKAT/IndkomstAbonnementVedligehold/3} and
 * {@code https://exttest.serviceplatformen.dk/service/SKAT/IndkomstOplysningVirksomhedAbonnentBestil/2}.
 *
 * @param address    the service URL
 * @param soapAction the {@code SOAPAction} header value (also written as {@code wsa:Action})
 * @param sslContext TLS context with key and trust material, or {@code null} for the JDK default
 * @param timeout    connect and request timeout
 * @param security   adds WS-Security (token, signature) to the finished envelope, or {@code null} for none
 */
public record SoapEndpoint(URI address, String soapAction, SSLContext sslContext, Duration timeout,
                           SoapSecurity security) {
    public SoapEndpoint {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(soapAction, "soapAction");
        Objects.requireNonNull(timeout, "timeout");
    }

    /** An endpoint with the default TLS context, a 30 s timeout and no WS-Security. */
    public static SoapEndpoint of(URI address, String soapAction) {
        return new SoapEndpoint(address, soapAction, null, Duration.ofSeconds(30), null);
    }
}
