package dk.eindkomst.transport.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dk.eindkomst.transport.Spawned;
import dk.eindkomst.transport.TestDirs;
import dk.eindkomst.transport.Tls;
import dk.eindkomst.transport.TlsFiles;
import dk.eindkomst.transport.beskedfordeler.TestMessages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Many messages through each channel, the receiver in a process of its own (durable ledger, fsync per message),
 * printing messages/s and the receiver's peak RSS. {@code -Dsoak.messages=N} (default 2000 in CI;
 * scripts/soak-beskedfordeler.sh runs 100 000).
 */
class SoakTest {
    static final int N = Integer.getInteger("soak.messages", 2000);

    static String stats(String line, String channel) {
        Matcher m = Pattern.compile("handled=(\\d+) dead=(\\d+) seconds=([0-9.]+) perSecond=(\\d+) peakRssKb=(\\d+)").matcher(line);
        assertTrue(m.find(), line);
        assertEquals(N, Integer.parseInt(m.group(1)), line);
        assertEquals(0, Integer.parseInt(m.group(2)), line);
        String s = String.format("soak-java %s: %d messages in %s s, %s messages/s, peak RSS %d MB", channel, N, m.group(3), m.group(4),
                                 Long.parseLong(m.group(5)) / 1024);
        System.out.println(s);
        return s;
    }

    @Test
    void amqp() throws Exception {
        Path dir = Files.createTempDirectory("eik-soak-");
        RabbitBroker broker = new RabbitBroker();
        try {
            String q = "dueslag-" + UUID.randomUUID();
            try (Connection c = broker.factory().newConnection(); Channel ch = c.createChannel()) {
                ch.queueDeclare(q, true, false, false, null);
            }
            String payload = TestMessages.wrapped(TestMessages.sample());
            try (Spawned p = new Spawned(dir.resolve("consumer.log"), "amqp", Integer.toString(broker.port), q, dir.resolve("state").toString(),
                                         "soak", Integer.toString(N))) {
                // Publish while it consumes, keeping at most ~5000 messages in the queue (as a dueslag being drained).
                try (Connection c = broker.factory().newConnection(); Channel ch = c.createChannel()) {
                    ch.confirmSelect();
                    for (int i = 0; i < N; i++) {
                        ch.basicPublish("", q, new AMQP.BasicProperties.Builder().messageId(UUID.randomUUID().toString()).deliveryMode(2).build(),
                                        TestMessages.envelope("soak-" + i, payload).getBytes(StandardCharsets.UTF_8));
                        if (i % 1000 == 999) {
                            ch.waitForConfirmsOrDie(60_000);
                            while (ch.messageCount(q) > 5000) Thread.sleep(100);
                        }
                    }
                    ch.waitForConfirmsOrDie(60_000);
                }
                stats(p.awaitStats(3600), "amqp");
            }
        } finally {
            broker.close();
            TestDirs.deleteTree(dir);
        }
    }

    @Test
    void rest() throws Exception {
        Path dir = Files.createTempDirectory("eik-soak-rest-");
        try {
            TlsFiles tls = TlsFiles.make(dir, "beskedfordeler-test");
            try (Spawned p = new Spawned(dir.resolve("receiver.log"), "rest", dir.toString(), dir.resolve("state").toString(), Integer.toString(N))) {
                int port = Integer.parseInt(p.ready.split(" ")[1]);
                // Beskedfordeler's side: one client with its certificate, one message at a time (FIFO), keep-alive.
                var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .sslContext(Tls.fromPkcs12(tls.clientP12(), TlsFiles.PASSWORD.toCharArray(), tls.trustP12(), TlsFiles.PASSWORD.toCharArray()))
                        .build();
                String payload = TestMessages.wrapped(TestMessages.sample());
                URI uri = URI.create("https://127.0.0.1:" + port + "/ModtagBesked");
                for (int i = 0; i < N; i++) {
                    byte[] body = TestMessages.modtagBeskedInput(TestMessages.envelope("soak-" + i, payload)).getBytes(StandardCharsets.UTF_8);
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/xml")
                                                                 .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                                                         HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200 || !r.body().contains("<sd:StatusKode>20</sd:StatusKode>")) {
                        throw new AssertionError("message " + i + ": HTTP " + r.statusCode() + " " + r.body());
                    }
                }
                stats(p.awaitStats(600), "rest");
            }
        } finally {
            TestDirs.deleteTree(dir);
        }
    }
}
