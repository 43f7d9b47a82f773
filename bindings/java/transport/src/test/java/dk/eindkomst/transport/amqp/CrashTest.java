package dk.eindkomst.transport.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dk.eindkomst.transport.Spawned;
import dk.eindkomst.transport.TestDirs;
import dk.eindkomst.transport.beskedfordeler.Ledger;
import dk.eindkomst.transport.beskedfordeler.TestMessages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The consumer in a process of its own, SIGKILLed 30 times at random points (by the test at a random moment,
 * or by itself inside the handler, after the handler's store, or after the ledger line before the ack), then
 * run until the queue is empty. Afterwards every published BeskedId must be stored by the handler exactly once
 * or dead-lettered exactly once, and the handler must have been called again only after an interrupted call.
 */
class CrashTest {
    static final int MESSAGES = 600;
    static final int RUNS = 30;

    @Test
    void sigkillAtRandomPointsNeitherLosesNorRepeats() throws Exception {
        Path dir = Files.createTempDirectory("eik-crash-");
        RabbitBroker broker = new RabbitBroker();
        try {
            Path state = dir.resolve("state");
            Path log = dir.resolve("consumer.log");
            String q = "dueslag-" + UUID.randomUUID();
            Set<String> good = new HashSet<>();
            Set<String> bad = new HashSet<>();
            long seed = Long.getLong("crash.seed", System.nanoTime());
            System.out.println("crash-java: seed " + seed);
            Random random = new Random(seed);
            try (Connection c = broker.factory().newConnection(); Channel ch = c.createChannel()) {
                ch.queueDeclare(q, true, false, false, null);
                ch.confirmSelect();
                String ok = TestMessages.wrapped(TestMessages.sample());
                String damaged = TestMessages.wrapped(TestMessages.damaged());
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < MESSAGES; i++) {
                    String id = "crash-" + i;
                    (i % 10 == 7 ? bad : good).add(id);
                    ids.add(id);
                    String body = TestMessages.envelope(id, i % 10 == 7 ? damaged : ok);
                    ch.basicPublish("", q, new AMQP.BasicProperties.Builder().messageId(UUID.randomUUID().toString()).deliveryMode(2).build(),
                                    body.getBytes(StandardCharsets.UTF_8));
                    // Now and then a replay of an earlier message (new message id), as an operator's copy-queue replay.
                    if (i % 50 == 49) {
                        String again = ids.get(random.nextInt(ids.size()));
                        ch.basicPublish("", q, new AMQP.BasicProperties.Builder().messageId(UUID.randomUUID().toString()).deliveryMode(2).build(),
                                        TestMessages.envelope(again, bad.contains(again) ? damaged : ok).getBytes(StandardCharsets.UTF_8));
                    }
                }
                ch.waitForConfirmsOrDie(30_000);
            }
            String[] plans = {"external", "in-handler", "after-effect", "after-ledger"};
            Map<String, Integer> kills = new HashMap<>();
            for (int run = 0; run < RUNS; run++) {
                String plan = plans[run % plans.length];
                String arg = plan.equals("external") ? plan : plan + ":" + (1 + random.nextInt(20));
                try (Spawned p = new Spawned(log, "amqp", Integer.toString(broker.port), q, state.toString(), arg, "0")) {
                    if (plan.equals("external")) {
                        // At a random moment, but after at most 1-20 handler calls: a fast consumer
                        // drained the queue in the external runs before the planned kills had a message.
                        int target = 1 + random.nextInt(20);
                        long deadline = System.nanoTime() + random.nextInt(1500) * 1_000_000L;
                        long start = handlerCalls(state);
                        while (System.nanoTime() < deadline && handlerCalls(state) - start < target) {
                            Thread.sleep(5);
                        }
                        p.kill();
                    } else {
                        p.awaitStats(120);
                    }
                    if (p.process.exitValue() == 137) kills.merge(plan, 1, Integer::sum);
                }
            }
            String stats;
            try (Spawned last = new Spawned(log, "amqp", Integer.toString(broker.port), q, state.toString(), "none", "0")) {
                stats = last.awaitStats(300);
                assertEquals(0, last.process.exitValue());
            }
            int killed = kills.values().stream().mapToInt(Integer::intValue).sum();
            System.out.println("crash-java: " + RUNS + " runs, " + killed + " SIGKILLs " + kills + ", last run " + stats);
            assertTrue(killed >= 25, "most runs must end in a SIGKILL: " + kills);

            // The queue is empty: everything was acknowledged.
            try (Connection c = broker.factory().newConnection(); Channel ch = c.createChannel()) {
                assertEquals(0, ch.queueDeclarePassive(q).getMessageCount());
            }
            // Stored by the handler exactly once: every good BeskedId, nothing else.
            List<String> effects = Files.readAllLines(state.resolve("effects"));
            assertEquals(good.size(), effects.size(), "stores");
            assertEquals(good, new HashSet<>(effects));
            // Dead-lettered exactly once: every bad BeskedId, one letter each.
            Set<String> deadIds = new HashSet<>();
            int letters = 0;
            try (Stream<Path> files = Files.list(state.resolve("dead"))) {
                for (Path f : files.filter(f -> f.toString().endsWith(".error")).toList()) {
                    letters++;
                    List<String> lines = Files.readAllLines(f);
                    deadIds.add(lines.get(2));
                    assertEquals("not_digit", lines.get(3));
                }
            }
            assertEquals(bad.size(), letters);
            assertEquals(bad, deadIds);
            // The ledger says the same.
            try (Ledger ledger = Ledger.open(state.resolve("ledger"))) {
                for (String id : good) assertEquals("HANDLED", ledger.get("b:" + id).state(), id);
                for (String id : bad) assertEquals("DEAD", ledger.get("b:" + id).state(), id);
            }
            // The handler was called again only after an interrupted call; never after its outcome was in the ledger.
            Map<String, Integer> calls = new HashMap<>();
            Map<String, Integer> lastAttempt = new HashMap<>();
            Set<String> killedAfterLedger = new HashSet<>();
            int interruptedCalls = 0;
            for (String line : Files.readAllLines(state.resolve("calls"))) {
                String[] f = line.split(" ");
                if (f[0].equals("kill")) {
                    if (f[1].equals("after-ledger")) killedAfterLedger.add(f[2]);
                    continue;
                }
                // Its outcome was in the ledger when it was killed: it must never be handed over again.
                assertTrue(!killedAfterLedger.contains(f[1]), "handed over again after its ledger line: " + line);
                int n = calls.merge(f[1], 1, Integer::sum);
                boolean interrupted = Boolean.parseBoolean(f[3]);
                int attempt = Integer.parseInt(f[2]);
                // A kill between the ledger's IN_FLIGHT line and the handler's first log line leaves an
                // attempt that never reached the handler: attempts may skip, never repeat or go back.
                assertEquals(attempt > 1, interrupted, line);
                assertTrue(attempt >= n, "attempt of " + line);
                Integer before = lastAttempt.put(f[1], attempt);
                assertTrue(before == null || attempt > before, "attempts go forward: " + line);
                if (interrupted) interruptedCalls++;
            }
            assertEquals(good, calls.keySet());
            assertTrue(interruptedCalls <= killed, interruptedCalls + " repeated calls for " + killed + " kills");
            System.out.println("crash-java: " + good.size() + " stored once, " + bad.size() + " dead-lettered once, "
                               + interruptedCalls + " calls repeated after an interrupted one, " + killedAfterLedger.size()
                               + " killed between ledger line and ack, none handed over again");
        } finally {
            broker.close();
            TestDirs.deleteTree(dir);
        }
    }

    /** Handler calls the consumer processes logged so far (lines "call ..." of state/calls). */
    private static long handlerCalls(Path state) throws java.io.IOException {
        Path f = state.resolve("calls");
        if (!Files.exists(f)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(f)) {
            return lines.filter(l -> l.startsWith("call ")).count();
        }
    }
}
