package dk.eindkomst.transport.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.SaslMechanism;
import dk.eindkomst.transport.TestDirs;
import dk.eindkomst.transport.TlsFiles;
import dk.eindkomst.transport.Tls;
import dk.eindkomst.transport.beskedfordeler.Besked;
import dk.eindkomst.transport.beskedfordeler.DeadLetter;
import dk.eindkomst.transport.beskedfordeler.Ledger;
import dk.eindkomst.transport.beskedfordeler.TestMessages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * As against Beskedfordeler: TLS 1.2 with the client certificate, SASL EXTERNAL (the broker takes the identity
 * from the certificate's CN), vhost BF, a receiver that may only read its dueslag (no declare, no publish), so
 * bad messages go to a local dead-letter sink. The broker's certificate names only {@code localhost}: the
 * consumer connects to "localhost", and is refused when it connects to "127.0.0.1" (host name check).
 */
class TlsExternalTest {
    static final String ASSERTION = "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_test\"/>";

    @Test
    void theExternalMechanismSendsTheToken() throws Exception {
        byte[] token = ASSERTION.getBytes(StandardCharsets.UTF_8);
        SaslMechanism m = BeskedfordelerConsumer.externalWithToken(token).getSaslMechanism(new String[] {"PLAIN", "EXTERNAL"});
        assertEquals("EXTERNAL", m.getName());
        LongString response = m.handleChallenge(null, null, null);
        assertEquals(ASSERTION, new String(response.getBytes(), StandardCharsets.UTF_8));
        assertEquals(null, BeskedfordelerConsumer.externalWithToken(token).getSaslMechanism(new String[] {"PLAIN"}));
    }

    /** Connects with {@code p12} to {@code host} and returns the first connection error. */
    static Exception refusal(RabbitBroker broker, String q, Ledger ledger, Path p12, TlsFiles tls, String host) throws Exception {
        List<Exception> errors = Collections.synchronizedList(new ArrayList<>());
        var config = ConsumerConfig.builder(host, broker.tlsPort, q).ledger(ledger)
                .tls(Tls.fromPkcs12(p12, TlsFiles.PASSWORD.toCharArray(), tls.trustP12(), TlsFiles.PASSWORD.toCharArray()))
                .external(() -> ASSERTION.getBytes(StandardCharsets.UTF_8)).deadLetterSink(l -> { })
                .reconnectDelay(Duration.ofMillis(200)).build();
        try (var c = new BeskedfordelerConsumer(config, b -> { throw new AssertionError("handled"); },
                new ConsumerListener() { @Override public void disconnected(Exception e) { errors.add(e); } })) {
            c.start();
            BeskedfordelerConsumerTest.await("a refusal", () -> !errors.isEmpty());
        }
        return errors.get(0);
    }

    @Test
    void consumesOverTlsWithTheClientCertificateAndExternal() throws Exception {
        Path dir = Files.createTempDirectory("eik-tls-");
        RabbitBroker broker = null;
        try {
            TlsFiles tls = TlsFiles.make(dir, "eik-bf-receiver", "DNS:localhost");
            Ledger ledger = Ledger.open(dir.resolve("ledger"));
            broker = new RabbitBroker(tls);
            broker.ctl("add_vhost", "BF");
            broker.ctl("set_permissions", "-p", "BF", "guest", ".*", ".*", ".*");
            broker.ctl("add_user", "eik-bf-receiver", UUID.randomUUID().toString());
            broker.ctl("set_permissions", "-p", "BF", "eik-bf-receiver", "^$", "^$", "^dueslag-.*$");
            String q = "dueslag-" + UUID.randomUUID();
            byte[] sample = Files.readAllBytes(Path.of(System.getProperty("eindkomst.root"), "testdata", "sample.txt"));
            var admin = broker.factory();
            admin.setVirtualHost("BF");
            try (Connection c = admin.newConnection(); Channel ch = c.createChannel()) {
                ch.queueDeclare(q, true, false, false, null);
                ch.confirmSelect();
                for (String body : List.of(TestMessages.envelope("t-1", Base64.getEncoder().encodeToString(sample)),
                                           "not xml")) {
                    ch.basicPublish("", q, new AMQP.BasicProperties.Builder().messageId(UUID.randomUUID().toString()).deliveryMode(2).build(),
                                    body.getBytes(StandardCharsets.UTF_8));
                }
                ch.waitForConfirmsOrDie(10_000);
            }

            // A certificate the broker's CA did not issue is refused at the handshake.
            refusal(broker, q, ledger, tls.strangerP12(), tls, "localhost");
            // The certificate is right, but the broker's does not name the host connected to: refused before any login.
            Throwable cause = refusal(broker, q, ledger, tls.clientP12(), tls, "127.0.0.1");
            while (cause.getCause() != null) cause = cause.getCause();
            assertTrue(String.valueOf(cause.getMessage()).contains("No subject alternative names matching IP address 127.0.0.1"), String.valueOf(cause));

            List<Besked> handled = Collections.synchronizedList(new ArrayList<>());
            List<DeadLetter> dead = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger tokens = new AtomicInteger();
            var config = ConsumerConfig.builder("localhost", broker.tlsPort, q).ledger(ledger)
                    .tls(Tls.fromPkcs12(tls.clientP12(), TlsFiles.PASSWORD.toCharArray(), tls.trustP12(), TlsFiles.PASSWORD.toCharArray()))
                    .external(() -> { tokens.incrementAndGet(); return ASSERTION.getBytes(StandardCharsets.UTF_8); })
                    .deadLetterSink(dead::add).build();
            String connections;
            try (var consumer = new BeskedfordelerConsumer(config, handled::add, null)) {
                consumer.start();
                BeskedfordelerConsumerTest.await("1 handled, 1 dead", () -> handled.size() == 1 && dead.size() == 1);
                connections = broker.ctl("list_connections", "user", "auth_mechanism", "ssl", "vhost");
            }
            assertEquals(27, handled.get(0).records().size());
            assertEquals("bad_envelope", dead.get(0).errorCode());
            assertEquals(1, tokens.get());
            ledger.close();
            assertTrue(connections.lines().anyMatch(l -> l.matches("eik-bf-receiver\\s+EXTERNAL\\s+true\\s+BF")), connections);
            try (Connection c = admin.newConnection(); Channel ch = c.createChannel()) {
                assertEquals(0, ch.queueDeclarePassive(q).getMessageCount());
            }
        } finally {
            if (broker != null) broker.close();
            TestDirs.deleteTree(dir);
        }
    }
}
