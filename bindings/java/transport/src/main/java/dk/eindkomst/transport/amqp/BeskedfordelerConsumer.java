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
import dk.eindkomst.transport.beskedfordeler.BeskedHandler;
import dk.eindkomst.transport.beskedfordeler.BeskedReceiver;
import dk.eindkomst.transport.beskedfordeler.BodyForm;
import dk.eindkomst.transport.beskedfordeler.DeadLetter;
import dk.eindkomst.transport.beskedfordeler.DeadLetterSink;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Consumes a Beskedfordeler queue (dueslag) over AMQP 0-9-1 with manual acknowledgement, one message at a time
 * in queue order. Each delivery goes through {@link BeskedReceiver} (schema check, BeskedId, payload encoding,
 * engine, durable {@link dk.eindkomst.transport.beskedfordeler.Ledger}, bounded handler attempts); then:
 * <ul>
 * <li>handled, duplicate or dead-lettered: acknowledged, only after the outcome is forced to the ledger (and a
 *     dead letter stored in its target), so nothing is lost and a handled BeskedId is never handed over again;</li>
 * <li>handler failed with attempts left, or the dead-letter target or ledger failed: released (nack with requeue)
 *     after the retry delay, so it comes again at the head of the queue;</li>
 * <li>a lost connection (broker restart, network, token expiry) is re-made after the reconnect delay with a fresh
 *     token; unacknowledged messages are redelivered by the broker.</li>
 * </ul>
 * One background thread owns the connection.
 */
public final class BeskedfordelerConsumer implements AutoCloseable {
    private final ConsumerConfig config;
    private final ConsumerListener listener;
    private final BeskedReceiver receiver;
    private final Thread thread;
    private volatile boolean closed;
    /** Held while a delivery is received and acknowledged, so that {@link #close()} lets it finish. */
    private final ReentrantLock delivering = new ReentrantLock();
    private volatile Connection connection;
    private volatile CountDownLatch lost = new CountDownLatch(1);

    public BeskedfordelerConsumer(ConsumerConfig config, BeskedHandler handler, ConsumerListener listener) {
        this.config = config;
        this.listener = listener == null ? new ConsumerListener() { } : listener;
        this.receiver = new BeskedReceiver(config.ledger, handler, config.maxAttempts, this.listener);
        this.thread = new Thread(this::run, "beskedfordeler-consumer");
        this.thread.setDaemon(true);
    }

    /** Starts consuming in the background. */
    public void start() {
        thread.start();
    }

    /**
     * Stops consuming: a message being handled is finished and acknowledged first (up to 30 s), no further one is
     * started; then the connection is closed. Messages delivered but not started return to the queue.
     */
    @Override
    public void close() {
        closed = true;
        boolean idle = false;
        try {
            idle = delivering.tryLock(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lost.countDown();
        Connection c = connection;
        if (c != null) {
            try {
                c.close(2000);
            } catch (Exception ignored) {
                // already gone
            }
        }
        if (idle) delivering.unlock();
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
        if (config.tls != null) {
            f.useSslProtocol(config.tls);
            if (config.verifyHostname) f.enableHostnameVerification();
        }
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
            delivering.lock();
            try {
                if (closed) return; // not started: returns to the queue when the connection closes
                DeadLetterSink sink = dead != null ? this::publishDeadLetter : config.deadLetterSink;
                switch (receiver.receive(body, BodyForm.HAENDELSESBESKED, props.getMessageId(), env.isRedeliver(), sink).outcome()) {
                    case HANDLED, DUPLICATE, DEAD_LETTERED -> ack(env);
                    case RETRY, UNAVAILABLE -> release(env);
                }
            } finally {
                delivering.unlock();
            }
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

        private void ack(Envelope env) {
            try {
                getChannel().basicAck(env.getDeliveryTag(), false);
            } catch (Exception e) {
                // Channel gone: the broker redelivers; the ledger turns it into a duplicate.
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
}
