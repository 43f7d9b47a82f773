package dk.eindkomst.transport.security;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Where and as whom tokens are asked for at KOMBIT's STS ("Adgangsstyring for systemer"), WS-Trust endpoint.
 * Endpoints (docs/transports.md): exttest
 * {@code https://adgangsstyring.eksterntest-stoettesystemerne.dk/runtime/services/kombittrust/14/certificatemixed},
 * prod {@code https://adgangsstyring.stoettesystemerne.dk/runtime/services/kombittrust/14/certificatemixed}.
 *
 * @param endpoint    the STS URL
 * @param cvr         the organisation's CVR (the CVR claim; must be the function certificate's)
 * @param certificate the function certificate
 * @param tls         trust for the STS's TLS certificate, or {@code null} for the JDK default
 * @param timeout     connect and request timeout
 * @param renewBefore a cached token is renewed this long before it expires
 */
public record StsConfig(URI endpoint, String cvr, FunctionCertificate certificate, SSLContext tls, Duration timeout,
                        Duration renewBefore) {
    public StsConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(renewBefore, "renewBefore");
        if (cvr == null || !cvr.matches("[0-9]{8}")) throw new IllegalArgumentException("the CVR must be 8 digits");
    }

    /** 30 s timeout; renewal 5 minutes before expiry. */
    public static StsConfig of(URI endpoint, String cvr, FunctionCertificate certificate, SSLContext tls) {
        return new StsConfig(endpoint, cvr, certificate, tls, Duration.ofSeconds(30), Duration.ofMinutes(5));
    }
}
