package dk.eindkomst.transport.amqp;

import dk.eindkomst.transport.beskedfordeler.DeadLetterSink;
import dk.eindkomst.transport.beskedfordeler.Ledger;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Configuration of a {@link BeskedfordelerConsumer}. Beskedfordeler itself: port 5671 with TLS 1.2 and the
 * function certificate, vhost {@code BF}, SASL {@code EXTERNAL} whose response is the SAML assertion (XML
 * bytes) for {@code http://entityid.kombit.dk/service/bfo_modtag/2}, queue = the dueslag UUID. Build with
 * {@link #builder(String, int, String)}; the ledger and the dead-letter target are required.
 */
public final class ConsumerConfig {
    final String host;
    final int port;
    final String vhost;
    final String queue;
    final SSLContext tls;
    final String username;
    final String password;
    final Supplier<byte[]> externalToken;
    final int prefetch;
    final Duration reconnectDelay;
    final Duration handlerRetryDelay;
    final String deadLetterQueue;
    final DeadLetterSink deadLetterSink;
    final Ledger ledger;
    final int maxAttempts;
    final boolean verifyHostname;

    private ConsumerConfig(Builder b) {
        host = b.host;
        port = b.port;
        vhost = b.vhost;
        queue = b.queue;
        tls = b.tls;
        username = b.username;
        password = b.password;
        externalToken = b.externalToken;
        prefetch = b.prefetch;
        reconnectDelay = b.reconnectDelay;
        handlerRetryDelay = b.handlerRetryDelay;
        deadLetterQueue = b.deadLetterQueue;
        deadLetterSink = b.deadLetterSink;
        ledger = b.ledger;
        maxAttempts = b.maxAttempts;
        verifyHostname = b.verifyHostname;
    }

    /** A builder for consuming {@code queue} (the dueslag) on {@code host:port}. */
    public static Builder builder(String host, int port, String queue) {
        return new Builder(host, port, queue);
    }

    /** Builder; every setting but host, port, queue and the dead-letter target has a default. */
    public static final class Builder {
        private final String host;
        private final int port;
        private final String queue;
        private String vhost = "BF";
        private SSLContext tls;
        private String username;
        private String password;
        private Supplier<byte[]> externalToken;
        private int prefetch = 1;
        private Duration reconnectDelay = Duration.ofSeconds(1);
        private Duration handlerRetryDelay = Duration.ofSeconds(1);
        private String deadLetterQueue;
        private DeadLetterSink deadLetterSink;
        private Ledger ledger;
        private int maxAttempts = 5;
        private boolean verifyHostname = true;

        private Builder(String host, int port, String queue) {
            this.host = Objects.requireNonNull(host);
            this.port = port;
            this.queue = Objects.requireNonNull(queue);
        }

        /** Virtual host (default {@code BF}). */
        public Builder vhost(String v) { vhost = v; return this; }

        /** Connect with TLS using this context (key and trust material); the broker's certificate must name {@code host}. */
        public Builder tls(SSLContext context) { tls = context; return this; }

        /** Check that the broker's certificate names the host connected to (default true; turn off only for tests). */
        public Builder verifyHostname(boolean on) { verifyHostname = on; return this; }

        /** SASL PLAIN with user name and password (test brokers). */
        public Builder plain(String user, String pass) { username = user; password = pass; return this; }

        /**
         * SASL EXTERNAL whose response is {@code token.get()}, fetched again on every connect, so a renewing token
         * source (e.g. an STS client caching the SAML assertion for {@code bfo_modtag/2}) plugs in here.
         */
        public Builder external(Supplier<byte[]> token) { externalToken = token; return this; }

        /** Unacknowledged messages the broker may send at once (default 1: strict order). */
        public Builder prefetch(int n) { prefetch = n; return this; }

        /** Wait between connection attempts (default 1 s). */
        public Builder reconnectDelay(Duration d) { reconnectDelay = d; return this; }

        /** Wait before a message whose handler failed is released for redelivery (default 1 s). */
        public Builder handlerRetryDelay(Duration d) { handlerRetryDelay = d; return this; }

        /** Publish bad messages to this queue (default exchange, persistent, with publisher confirms). */
        public Builder deadLetterQueue(String name) { deadLetterQueue = name; return this; }

        /** Store bad messages here instead of a broker queue. */
        public Builder deadLetterSink(DeadLetterSink sink) { deadLetterSink = sink; return this; }

        /** The durable ledger of handled BeskedIds (required; may be shared with the REST receiver). */
        public Builder ledger(Ledger l) { ledger = l; return this; }

        /** Handler attempts per BeskedId, counted across restarts, before the message is dead-lettered (default 5). */
        public Builder maxAttempts(int n) { maxAttempts = n; return this; }

        public ConsumerConfig build() {
            if ((deadLetterQueue == null) == (deadLetterSink == null)) {
                throw new IllegalStateException("set exactly one of deadLetterQueue and deadLetterSink");
            }
            if ((username == null) == (externalToken == null)) {
                throw new IllegalStateException("set exactly one of plain(...) and external(...)");
            }
            if (prefetch < 1) throw new IllegalArgumentException("prefetch must be at least 1");
            if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
            Objects.requireNonNull(ledger, "ledger");
            return new ConsumerConfig(this);
        }
    }
}
