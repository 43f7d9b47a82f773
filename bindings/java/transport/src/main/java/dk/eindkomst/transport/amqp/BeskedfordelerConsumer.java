package dk.eindkomst.transport.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.SaslConfig;
import com.rabbitmq.client.SaslMechanism;
import dk.eindkomst.EindkomstDecoder;
import dk.eindkomst.Finding;
import dk.eindkomst.FindingType;
import dk.eindkomst.Options;
import dk.eindkomst.Record;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Consumes a Beskedfordeler queue (dueslag) over AMQP 0-9-1 with manual acknowledgement:
 * <ol>
 * <li>reads {@code BeskedId} and the {@code Beskeddata/Base64} payload from the envelope;</li>
 * <li>decodes the Base64 text with the engine (Base64 mode);</li>
 * <li>hands the records to the {@link BeskedHandler} and acknowledges <em>after</em> it returned;</li>
 * <li>a message the engine rejects (any rejected line or stream error) or whose envelope is unreadable goes
 *     to the dead-letter target with the error attached, and is acknowledged only after that is stored;</li>
 * <li>a handler failure leaves the message unacknowledged: it is released after the retry delay and comes again;</li>
 * <li>a message whose message id or BeskedId was already handled or dead-lettered is reported as a duplicate
 *     and acknowledged without handling it again;</li>
 * <li>a lost connection (broker restart, network) is re-made after the reconnect delay; unacknowledged
 *     messages are redelivered by the broker, so nothing is lost.</li>
 * </ol>
 * One background thread owns the connection; messages are handled one at a time, in queue order.
 */
public final class BeskedfordelerConsumer implements AutoCloseable {
    private final ConsumerConfig config;
    private final BeskedHandler handler;
    private final ConsumerListener listener;
    private final Map<String, Boolean> seen;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection connection;
    private volatile CountDownLatch lost = new CountDownLatch(1);

    public BeskedfordelerConsumer(ConsumerConfig config, BeskedHandler handler, ConsumerListener listener) {
        this.config = config;
        this.handler = handler;
        this.listener = listener == null ? new ConsumerListener() { } : listener;
        int max = config.rememberedIds;
        this.seen = java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> e) {
                return size() > max;
            }
        });
        this.thread = new Thread(this::run, "beskedfordeler-consumer");
        this.thread.setDaemon(true);
    }

    /** Starts consuming in the background. */
    public void start() {
        thread.start();
    }

    /** Stops consuming and closes the connection; an unacknowledged message stays on the queue. */
    @Override
    public void close() {
        closed = true;
        lost.countDown();
        Connection c = connection;
        if (c != null) {
            try {
                c.close(2000);
            } catch (Exception ignored) {
                // already gone
            }
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (!closed) {
            lost = new CountDownLatch(1);
            try {
                Connection c = factory().newConnection("eindkomst-transport");
                connection = c;
                c.addShutdownListener(cause -> lost.countDown());
                Channel channel = c.createChannel();
                channel.basicQos(config.prefetch);
                Channel dead = config.deadLetterQueue == null ? null : c.createChannel();
                if (dead != null) dead.confirmSelect();
                channel.basicConsume(config.queue, false, new Deliveries(channel, dead));
                listener.connected();
                lost.await();
                if (!closed && c.getCloseReason() != null) {
                    listener.disconnected(c.getCloseReason());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!closed) listener.disconnected(e);
            } finally {
                Connection c = connection;
                connection = null;
                if (c != null && c.isOpen()) {
                    try {
                        c.abort(1000);
                    } catch (Exception ignored) {
                        // closing anyway
                    }
                }
            }
            if (!closed) sleep(config.reconnectDelay.toMillis());
        }
    }

    private ConnectionFactory factory() {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(config.host);
        f.setPort(config.port);
        f.setVirtualHost(config.vhost);
        f.setAutomaticRecoveryEnabled(false); // this class reconnects itself, with a fresh token each time
        f.setRequestedHeartbeat(10);
        f.setConnectionTimeout(5000);
        if (config.tls != null) f.useSslProtocol(config.tls);
        if (config.externalToken != null) {
            f.setSaslConfig(externalWithToken(config.externalToken.get()));
        } else {
            f.setUsername(config.username);
            f.setPassword(config.password);
        }
        return f;
    }

    /** SASL EXTERNAL that sends {@code token} as its response (the stock one sends nothing). */
    static SaslConfig externalWithToken(byte[] token) {
        SaslMechanism m = new SaslMechanism() {
            @Override
            public String getName() {
                return "EXTERNAL";
            }

            @Override
            public LongString handleChallenge(LongString challenge, String username, String password) {
                return com.rabbitmq.client.impl.LongStringHelper.asLongString(token);
            }
        };
        return mechanisms -> {
            for (String name : mechanisms) if ("EXTERNAL".equals(name)) return m;
            return null;
        };
    }

    private final class Deliveries extends DefaultConsumer {
        private final Channel dead;

        Deliveries(Channel channel, Channel dead) {
            super(channel);
            this.dead = dead;
        }

        @Override
        public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) throws IOException {
            String messageId = props.getMessageId() != null ? props.getMessageId() : "sha256:" + sha256(body);
            if (seen.containsKey("m:" + messageId)) {
                listener.duplicate(messageId, null, env.isRedeliver());
                ack(env);
                return;
            }
            Haendelsesbesked besked;
            try {
                besked = Haendelsesbesked.parse(body);
            } catch (Haendelsesbesked.BadEnvelope e) {
                deadLetter(env, new DeadLetter(messageId, null, body, "bad_envelope", e.getMessage()));
                return;
            }
            if (besked.beskedId() != null && seen.containsKey("b:" + besked.beskedId())) {
                listener.duplicate(messageId, besked.beskedId(), env.isRedeliver());
                seen.put("m:" + messageId, Boolean.TRUE);
                ack(env);
                return;
            }
            if (besked.base64().isEmpty()) {
                deadLetter(env, new DeadLetter(messageId, besked.beskedId(), body, "no_payload", "no Beskeddata/Base64 element"));
                return;
            }
            List<Record> records = new ArrayList<>();
            List<Finding> warnings = new ArrayList<>();
            for (int i = 0; i < besked.base64().size(); i++) {
                Finding bad = decode(besked.base64().get(i), records, warnings);
                if (bad != null) {
                    String where = besked.base64().size() > 1 ? "payload " + (i + 1) + ": " : "";
                    deadLetter(env, new DeadLetter(messageId, besked.beskedId(), body, bad.code(), where + bad.type().label() + ": " + bad));
                    return;
                }
            }
            try {
                handler.handle(new Besked(messageId, besked.beskedId(), env.isRedeliver(), records, warnings));
            } catch (Exception e) {
                listener.handlerFailed(messageId, e);
                release(env);
                return;
            }
            remember(messageId, besked.beskedId());
            ack(env);
        }

        /** Decodes one payload into {@code records}; returns the first rejected line or error, else null. */
        private Finding decode(String base64, List<Record> records, List<Finding> warnings) {
            try (EindkomstDecoder d = new EindkomstDecoder(new ByteArrayInputStream(Haendelsesbesked.ascii(base64)),
                                                           Options.lenient().base64(true))) {
                d.forEach(records::add);
                for (Finding f : d.findings()) {
                    if (f.type() == FindingType.WARNING) warnings.add(f);
                    else return f;
                }
                return null;
            }
        }

        private void deadLetter(Envelope env, DeadLetter letter) throws IOException {
            try {
                if (dead != null) publishDeadLetter(letter);
                else config.deadLetterSink.store(letter);
            } catch (Exception e) {
                listener.handlerFailed(letter.messageId(), e);
                release(env);
                return;
            }
            remember(letter.messageId(), letter.beskedId());
            listener.deadLettered(letter);
            ack(env);
        }

        private void publishDeadLetter(DeadLetter letter) throws Exception {
            Map<String, Object> headers = new LinkedHashMap<>();
            headers.put("x-eindkomst-error-code", letter.errorCode());
            headers.put("x-eindkomst-error", letter.errorText());
            if (letter.beskedId() != null) headers.put("x-eindkomst-besked-id", letter.beskedId());
            headers.put("x-eindkomst-source-queue", config.queue);
            AMQP.BasicProperties p = new AMQP.BasicProperties.Builder().messageId(letter.messageId()).deliveryMode(2)
                    .contentType("application/xml").headers(headers).build();
            dead.basicPublish("", config.deadLetterQueue, true, p, letter.body());
            dead.waitForConfirmsOrDie(10_000);
        }

        private void remember(String messageId, String beskedId) {
            seen.put("m:" + messageId, Boolean.TRUE);
            if (beskedId != null) seen.put("b:" + beskedId, Boolean.TRUE);
        }

        private void ack(Envelope env) {
            try {
                getChannel().basicAck(env.getDeliveryTag(), false);
            } catch (Exception e) {
                // Channel gone: the broker redelivers; the remembered id turns it into a duplicate.
                lost.countDown();
            }
        }

        private void release(Envelope env) {
            sleep(config.handlerRetryDelay.toMillis());
            try {
                getChannel().basicNack(env.getDeliveryTag(), false, true);
            } catch (Exception e) {
                lost.countDown();
            }
        }
    }

    private static void sleep(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
