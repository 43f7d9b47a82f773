package dk.eindkomst.transport.soap;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Where and how one service is called. The {@code soapAction} is configuration because the SF0770_E
 * operation names are not published (no default); the SSL context carries the function certificate for TLS
 * client authentication; {@code security} adds WS-Security to every request and checks every answer.
 * Endpoints per environment: docs/transports.md.
 *
 * @param address    the service URL
 * @param soapAction the {@code SOAPAction} header value (also written as {@code wsa:Action})
 * @param sslContext TLS context with key and trust material, or {@code null} for the JDK default
 * @param timeout    connect and request timeout
 * @param security   WS-Security of the service, usually a {@link dk.eindkomst.transport.security.TokenSecurity}
 */
public record SoapEndpoint(URI address, String soapAction, SSLContext sslContext, Duration timeout, SoapSecurity security) {
    public SoapEndpoint {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(soapAction, "soapAction");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(security, "security");
    }

    /** An endpoint with a 30 s timeout. */
    public static SoapEndpoint of(URI address, String soapAction, SSLContext sslContext, SoapSecurity security) {
        return new SoapEndpoint(address, soapAction, sslContext, Duration.ofSeconds(30), security);
    }
}
