package dk.eindkomst.transport.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dk.eindkomst.Record;
import dk.eindkomst.transport.TestDirs;
import dk.eindkomst.transport.beskedfordeler.Besked;
import dk.eindkomst.transport.beskedfordeler.BeskedHandler;
import dk.eindkomst.transport.beskedfordeler.DeadLetter;
import dk.eindkomst.transport.beskedfordeler.Ledger;
import dk.eindkomst.transport.beskedfordeler.TestMessages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against a real RabbitMQ on loopback. */
class BeskedfordelerConsumerTest {
    static RabbitBroker broker;
    static byte[] sample;
    static List<Integer> sampleTypes;
    static Path state;
    static final List<Ledger> ledgers = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        sample = TestMessages.sample();
        sampleTypes = TestMessages.sampleTypes();
        state = Files.createTempDirectory("eik-consumer-");
        broker = new RabbitBroker();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        for (Ledger l : ledgers) l.close();
        if (broker != null) broker.close();
        TestDirs.deleteTree(state);
    }

    /** Test state of one consumer: what the handler and the listener saw. */
    static final class Seen implements ConsumerListener {
        final List<Besked> handled = Collections.synchronizedList(new ArrayList<>());
        final List<DeadLetter> dead = Collections.synchronizedList(new ArrayList<>());
        final List<String> duplicates = Collections.synchronizedList(new ArrayList<>());
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger connects = new AtomicInteger();

        @Override public void connected() { connects.incrementAndGet(); }
        @Override public void duplicate(String messageId, String beskedId, boolean redelivered) { duplicates.add(messageId + (redelivered ? " redelivered" : "")); }
        @Override public void deadLettered(DeadLetter l) { dead.add(l); }
        @Override public void handlerFailed(String messageId, Exception cause) { failures.add(messageId + ": " + cause.getMessage()); }
    }

    static String queue() throws Exception {
        String q = "dueslag-" + UUID.randomUUID();
        try (Connection c = broker.factory().newConnection(); Channel ch = c.createChannel()) {
            ch.queueDeclare(q, true, false, false, null);
            ch.queueDeclare(q + ".dead", true, false, false, null);
        }
        return q;
    }

    /** A ledger file of its own for the queue (opened again when called again: a restarted process). */
    static Ledger ledger(String queue) throws Exception {
        Ledger l = Ledger.open(state.resolve(queue + ".ledger"));
        ledgers.add(l);
        return l;
    }

    static ConsumerConfig.Builder configBuilder(String queue, Ledger ledger) {
        return ConsumerConfig.builder("127.0.0.1", broker.port, queue).vhost("/").plain("guest", "guest")
                .deadLetterQueue(queue + ".dead").reconnectDelay(Duration.ofMillis(300)).ledger(ledger)
                .handlerRetryDelay(Duration.ofMillis(100));
    }

    static ConsumerConfig config(String queue) throws Exception {
        return configBuilder(queue, ledger(queue)).build();
    }

    static String envelope(String beskedId, String base64) {
        return TestMessages.envelope(beskedId, base64);
    }

    static String wrapped(byte[] payload) {
        return TestMessages.wrapped(payload);
    }

    static byte[] damaged() {
        return TestMessages.damaged();
    }

    /** Publishes persistent messages with publisher confirms, as Beskedfordeler would; returns their message ids. */
    static List<String> publish(String queue, List<String> bodies) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = broker.factory().newConnection(); Channel ch = c.createChannel()) {
            ch.confirmSelect();
            for (String body : bodies) {
                String id = UUID.randomUUID().toString();
                ids.add(id);
                ch.basicPublish("", queue, new AMQP.BasicProperties.Builder().messageId(id).deliveryMode(2).build(),
                                body.getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(10_000);
        }
        return ids;
    }

    static List<GetResponse> drain(String queue) throws Exception {
        List<GetResponse> out = new ArrayList<>();
        try (Connection c = broker.factory().newConnection(); Channel ch = c.createChannel()) {
            for (GetResponse r; (r = ch.basicGet(queue, true)) != null; ) out.add(r);
        }
        return out;
    }

    static long depth(String queue) throws Exception {
        try (Connection c = broker.factory().newConnection(); Channel ch = c.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    static List<Integer> types(Besked b) {
        return b.records().stream().map(Record::recordType).toList();
    }

    @Test
    void normalFlowHandsRecordsAndAcksAfterTheHandler() throws Exception {
        String q = queue();
        List<String> ids = publish(q, List.of(envelope("b-1", wrapped(sample)), envelope("b-2", wrapped(sample)),
                                              envelope("b-3", java.util.Base64.getEncoder().encodeToString(sample))));
        Seen seen = new Seen();
        try (var consumer = new BeskedfordelerConsumer(config(q), seen.handled::add, seen)) {
            consumer.start();
            await("3 handled", () -> seen.handled.size() == 3);
        }
        assertEquals(ids, seen.handled.stream().map(Besked::messageId).toList());
        assertEquals(List.of("b-1", "b-2", "b-3"), seen.handled.stream().map(Besked::beskedId).toList());
        for (Besked b : seen.handled) {
            assertEquals(27, b.records().size());
            assertEquals(sampleTypes, types(b));
            assertFalse(b.redelivered());
        }
        assertEquals("6101901234", seen.handled.get(0).records().get(8).cpr().orElseThrow());
        assertEquals(List.of(), seen.dead);
        assertEquals(List.of(), seen.duplicates);
        assertEquals(0, depth(q));
        assertEquals(0, depth(q + ".dead"));
    }

    @Test
    void badPayloadsAreDeadLetteredWithTheErrorAndTheQueueMovesOn() throws Exception {
        String q = queue();
        List<String> ids = publish(q, List.of(envelope("b-1", wrapped(sample)), envelope("b-2", wrapped(damaged())),
                                              "<Haendelsesbesked><BeskedId>", envelope("b-4", null),
                                              envelope("b-5", "AAAA*AAA"), envelope("b-6", wrapped(sample))));
        Seen seen = new Seen();
        try (var consumer = new BeskedfordelerConsumer(config(q), seen.handled::add, seen)) {
            consumer.start();
            await("2 handled, 4 dead", () -> seen.handled.size() == 2 && seen.dead.size() == 4);
        }
        assertEquals(List.of(ids.get(0), ids.get(5)), seen.handled.stream().map(Besked::messageId).toList());
        assertEquals(0, depth(q));
        List<GetResponse> dead = drain(q + ".dead");
        assertEquals(4, dead.size());
        assertEquals(List.of(ids.get(1), ids.get(2), ids.get(3), ids.get(4)), dead.stream().map(r -> r.getProps().getMessageId()).toList());
        List<String> codes = dead.stream().map(r -> r.getProps().getHeaders().get("x-eindkomst-error-code").toString()).toList();
        assertEquals("not_digit", codes.get(0));
        assertEquals("bad_envelope", codes.get(1));
        assertEquals("no_payload", codes.get(2));
        assertEquals("invalid_base64", codes.get(3)); // the engine decodes the Base64
        assertEquals("rejected: line 10 (Lb_nr 10), record 6001, field 4 Beloeb, offset 734: non-digit in numeric field",
                     dead.get(0).getProps().getHeaders().get("x-eindkomst-error").toString());
        assertEquals("b-2", dead.get(0).getProps().getHeaders().get("x-eindkomst-besked-id").toString());
        // the raw body is kept so the message can be replayed after a fix
        assertEquals(envelope("b-2", wrapped(damaged())).length(), dead.get(0).getBody().length);
        for (GetResponse r : dead) assertFalse(r.getProps().getHeaders().get("x-eindkomst-error").toString().matches(".*[0-9]{10}.*"));
    }

    @Test
    void handlerFailureLeavesTheMessageForRedelivery() throws Exception {
        String q = queue();
        List<String> ids = publish(q, List.of(envelope("b-1", wrapped(sample)), envelope("b-2", wrapped(sample)),
                                              envelope("b-3", wrapped(sample))));
        Seen seen = new Seen();
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failuresLeft = new AtomicInteger(2);
        BeskedHandler flaky = b -> {
            calls.add(b.beskedId() + (b.redelivered() ? "+" : ""));
            if (b.beskedId().equals("b-2") && failuresLeft.getAndDecrement() > 0) throw new IllegalStateException("store down");
            seen.handled.add(b);
        };
        try (var consumer = new BeskedfordelerConsumer(config(q), flaky, seen)) {
            consumer.start();
            await("3 handled", () -> seen.handled.size() == 3);
        }
        assertEquals(List.of("b-1", "b-2", "b-2+", "b-2+", "b-3"), calls);
        assertEquals(List.of(ids.get(1) + ": store down", ids.get(1) + ": store down"), seen.failures);
        assertEquals(ids, seen.handled.stream().map(Besked::messageId).toList());
        assertEquals(0, depth(q));
        assertEquals(0, depth(q + ".dead"));
    }

    @Test
    void aHandledMessageRedeliveredAfterALostAckIsADuplicate() throws Exception {
        String q = queue();
        List<String> ids = publish(q, List.of(envelope("b-1", wrapped(sample)), envelope("b-2", wrapped(sample))));
        Seen seen = new Seen();
        AtomicInteger kills = new AtomicInteger(1);
        BeskedHandler handler = b -> {
            seen.handled.add(b);
            // Stored, but the connection dies before the ack reaches the broker.
            if (kills.getAndDecrement() > 0) broker.closeAllConnections();
        };
        try (var consumer = new BeskedfordelerConsumer(config(q), handler, seen)) {
            consumer.start();
            await("2 handled and 1 duplicate", () -> seen.handled.size() == 2 && seen.duplicates.size() == 1);
        }
        assertEquals(ids, seen.handled.stream().map(Besked::messageId).toList());
        assertEquals(List.of(ids.get(0) + " redelivered"), seen.duplicates);
        assertTrue(seen.connects.get() >= 2, "reconnected");
        assertEquals(0, depth(q));
    }

    @Test
    void brokerRestartMidStreamLosesNothing() throws Exception {
        String q = queue();
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            bodies.add(envelope("r-" + i, wrapped(i % 10 == 3 ? damaged() : sample)));
        }
        List<String> published = publish(q, bodies);
        Seen seen = new Seen();
        Set<String> handledIds = ConcurrentHashMap.newKeySet();
        AtomicInteger handledCalls = new AtomicInteger();
        BeskedHandler handler = b -> {
            Thread.sleep(5);
            handledCalls.incrementAndGet();
            handledIds.add(b.messageId());
            assertEquals(27, b.records().size());
        };
        try (var consumer = new BeskedfordelerConsumer(config(q), handler, seen)) {
            consumer.start();
            await("100 handled", () -> handledIds.size() >= 100);
            broker.restart();
            await("all accounted for", () -> handledIds.size() + seen.dead.size() >= 300);
        }
        Set<String> dead = new HashSet<>();
        for (GetResponse r : drain(q + ".dead")) dead.add(r.getProps().getMessageId());
        Set<String> all = new HashSet<>(handledIds);
        all.addAll(dead);
        assertEquals(270, handledIds.size());
        assertEquals(30, dead.size());
        assertEquals(new HashSet<>(published), all, "published = handled + dead-lettered");
        assertEquals(0, depth(q));
        assertTrue(seen.connects.get() >= 2, "reconnected after the restart");
        // The message in flight at the restart was handled, written to the ledger, its ack lost: redelivered, a duplicate.
        assertEquals(270, handledCalls.get(), "handled calls");
    }

    @Test
    void aPoisonMessageIsDeadLetteredAfterMaxAttemptsAndTheQueueMovesOn() throws Exception {
        String q = queue();
        List<String> ids = publish(q, List.of(envelope("p-1", wrapped(sample)), envelope("p-2", wrapped(sample)), envelope("p-3", wrapped(sample))));
        Seen seen = new Seen();
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        BeskedHandler handler = b -> {
            calls.add(b.beskedId() + "#" + b.attempt());
            if (b.beskedId().equals("p-2")) throw new IllegalStateException("cannot store 6101901234");
            seen.handled.add(b);
        };
        try (var consumer = new BeskedfordelerConsumer(configBuilder(q, ledger(q)).maxAttempts(3).build(), handler, seen)) {
            consumer.start();
            await("2 handled, 1 dead", () -> seen.handled.size() == 2 && seen.dead.size() == 1);
        }
        assertEquals(List.of("p-1#1", "p-2#1", "p-2#2", "p-2#3", "p-3#1"), calls);
        assertEquals(List.of(ids.get(0), ids.get(2)), seen.handled.stream().map(Besked::messageId).toList());
        List<GetResponse> dead = drain(q + ".dead");
        assertEquals(List.of(ids.get(1)), dead.stream().map(r -> r.getProps().getMessageId()).toList());
        assertEquals("handler_failed", dead.get(0).getProps().getHeaders().get("x-eindkomst-error-code").toString());
        assertEquals("handler failed 3 times, last: java.lang.IllegalStateException: cannot store **********",
                     dead.get(0).getProps().getHeaders().get("x-eindkomst-error").toString());
        assertEquals(0, depth(q));
    }

    @Test
    void theLedgerOutlivesTheConsumer() throws Exception {
        String q = queue();
        publish(q, List.of(envelope("d-1", wrapped(sample))));
        Seen first = new Seen();
        Ledger ledger = ledger(q);
        try (var consumer = new BeskedfordelerConsumer(configBuilder(q, ledger).build(), first.handled::add, first)) {
            consumer.start();
            await("1 handled", () -> first.handled.size() == 1);
        }
        ledger.close();
        // Another process, days later: an operator replays d-1 from the copy-queue (new message id).
        List<String> replay = publish(q, List.of(envelope("d-1", wrapped(sample)), envelope("d-2", wrapped(sample))));
        Seen second = new Seen();
        try (var consumer = new BeskedfordelerConsumer(config(q), second.handled::add, second)) {
            consumer.start();
            await("1 handled, 1 duplicate", () -> second.handled.size() == 1 && second.duplicates.size() == 1);
        }
        assertEquals(List.of("d-2"), second.handled.stream().map(Besked::beskedId).toList());
        assertEquals(List.of(replay.get(0)), second.duplicates);
        assertEquals(0, depth(q));
    }

    @Test
    void theSharedCasesAsDeliveredByTheBroker() throws Exception {
        List<TestMessages.Case> cases = TestMessages.cases().stream().filter(c -> c.channel().equals("amqp")).toList();
        assertEquals(8, cases.size());
        // Through the broker once, byte for byte as stored in testdata/beskedfordeler.
        String capture = queue();
        List<String> ids = new ArrayList<>();
        try (Connection c = broker.factory().newConnection(); Channel ch = c.createChannel()) {
            ch.confirmSelect();
            for (TestMessages.Case k : cases) {
                String id = UUID.randomUUID().toString();
                ids.add(id);
                ch.basicPublish("", capture, new AMQP.BasicProperties.Builder().messageId(id).deliveryMode(2).contentType("application/xml").build(), k.body());
            }
            ch.waitForConfirmsOrDie(10_000);
        }
        List<GetResponse> delivered = drain(capture);
        assertEquals(ids, delivered.stream().map(r -> r.getProps().getMessageId()).toList());
        for (int i = 0; i < cases.size(); i++) assertTrue(Arrays.equals(cases.get(i).body(), delivered.get(i).getBody()), cases.get(i).file());
        // Then through the consumer.
        String q = queue();
        try (Connection c = broker.factory().newConnection(); Channel ch = c.createChannel()) {
            ch.confirmSelect();
            for (GetResponse r : delivered) ch.basicPublish("", q, r.getProps(), r.getBody());
            ch.waitForConfirmsOrDie(10_000);
        }
        Seen seen = new Seen();
        long handled = cases.stream().filter(k -> k.outcome().equals("handled")).count();
        try (var consumer = new BeskedfordelerConsumer(config(q), seen.handled::add, seen)) {
            consumer.start();
            await("all cases", () -> seen.handled.size() == handled && seen.dead.size() == cases.size() - handled);
        }
        List<GetResponse> dead = drain(q + ".dead");
        int h = 0;
        int d = 0;
        for (TestMessages.Case k : cases) {
            if (k.outcome().equals("handled")) {
                Besked b = seen.handled.get(h++);
                assertEquals(k.beskedId(), b.beskedId(), k.file());
                assertEquals(k.records(), b.records().size(), k.file());
                assertEquals(sampleTypes, types(b), k.file());
            } else {
                GetResponse r = dead.get(d++);
                assertEquals(k.code(), r.getProps().getHeaders().get("x-eindkomst-error-code").toString(), k.file());
                if (k.reason() != null) assertEquals(k.reason(), r.getProps().getHeaders().get("x-eindkomst-error").toString(), k.file());
                assertTrue(Arrays.equals(k.body(), r.getBody()), k.file());
            }
        }
        assertEquals(0, depth(q));
    }
}
