package dk.eindkomst.transport;

import dk.eindkomst.transport.amqp.BeskedfordelerConsumer;
import dk.eindkomst.transport.amqp.ConsumerConfig;
import dk.eindkomst.transport.amqp.ConsumerListener;
import dk.eindkomst.transport.beskedfordeler.Besked;
import dk.eindkomst.transport.beskedfordeler.BeskedHandler;
import dk.eindkomst.transport.beskedfordeler.DeadLetter;
import dk.eindkomst.transport.beskedfordeler.DirectoryDeadLetterSink;
import dk.eindkomst.transport.beskedfordeler.Ledger;
import dk.eindkomst.transport.rest.ModtagBeskedServer;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A receiver in a process of its own, for the crash and soak tests (which SIGKILL it and read its peak RSS):
 * <pre>
 * ConsumerProcess amqp &lt;port&gt; &lt;queue&gt; &lt;state-dir&gt; &lt;plan&gt; &lt;expected&gt;
 * ConsumerProcess rest &lt;tls-dir&gt; &lt;state-dir&gt; &lt;expected&gt;
 * </pre>
 * State: {@code ledger}, {@code dead/} (dead letters), and in the crash plans {@code effects} (the handler's
 * "store": one BeskedId per line, forced to disk) and {@code calls} (every handler call and planned kill).
 * Plans: {@code soak} (count only), {@code none} (crash handler, no kill), {@code external} (the parent kills),
 * {@code in-handler:K}, {@code after-effect:K}, {@code after-ledger:K}: SIGKILL itself at the K-th message, inside
 * the handler before the store, after the store before the handler returns, or after the ledger line before the
 * acknowledgement. Exits 0 when {@code expected} messages were handled or dead-lettered in this run (0: when idle
 * for 2 s after the last message, 10 s when none came); prints {@code ready} when consuming and {@code stats ...} at the end.
 */
public final class ConsumerProcess {
    private ConsumerProcess() {}

    static final AtomicInteger handled = new AtomicInteger();
    static final AtomicInteger dead = new AtomicInteger();
    static final AtomicLong first = new AtomicLong();
    static final AtomicLong last = new AtomicLong();
    static volatile String plan;
    static volatile int killAt;
    static final AtomicInteger seen = new AtomicInteger();
    static FileOutputStream effects;
    static FileOutputStream calls;
    static final Set<String> stored = new HashSet<>();

    public static void main(String[] args) throws Exception {
        boolean rest = args[0].equals("rest");
        Path state = Path.of(rest ? args[2] : args[3]);
        plan = rest ? "soak" : args[4];
        int expected = Integer.parseInt(rest ? args[3] : args[5]);
        if (plan.contains(":")) {
            killAt = Integer.parseInt(plan.substring(plan.indexOf(':') + 1));
            plan = plan.substring(0, plan.indexOf(':'));
        }
        Files.createDirectories(state);
        if (!plan.equals("soak")) {
            Path e = state.resolve("effects");
            if (Files.exists(e)) stored.addAll(Files.readAllLines(e));
            effects = new FileOutputStream(e.toFile(), true);
            calls = new FileOutputStream(state.resolve("calls").toFile(), true);
        }
        BeskedHandler handler = plan.equals("soak") ? ConsumerProcess::count : ConsumerProcess::store;
        CountDownLatch connected = new CountDownLatch(1);
        ConsumerListener listener = new ConsumerListener() {
            @Override
            public void connected() {
                connected.countDown();
            }

            @Override
            public void handled(Besked b) {
                if (plan.equals("after-ledger")) killIfDue("after-ledger", b.beskedId());
            }

            @Override
            public void deadLettered(DeadLetter l) {
                dead.incrementAndGet();
                tick();
            }
        };
        try (Ledger ledger = Ledger.open(state.resolve("ledger"))) {
            var sink = new DirectoryDeadLetterSink(state.resolve("dead"));
            AutoCloseable receiver;
            if (rest) {
                Path tls = Path.of(args[1]);
                var ctx = Tls.fromPkcs12(tls.resolve("server.p12"), TlsFiles.PASSWORD.toCharArray(), tls.resolve("trust.p12"), TlsFiles.PASSWORD.toCharArray());
                var server = new ModtagBeskedServer(ModtagBeskedServer.builder(new InetSocketAddress("127.0.0.1", 0), ctx, ledger, sink)
                                                            .listener(listener), handler);
                server.start();
                receiver = server;
                System.out.println("ready " + server.port());
            } else {
                var config = ConsumerConfig.builder("127.0.0.1", Integer.parseInt(args[1]), args[2]).vhost("/").plain("guest", "guest")
                        .ledger(ledger).deadLetterSink(sink).reconnectDelay(Duration.ofMillis(200)).build();
                var consumer = new BeskedfordelerConsumer(config, handler, listener);
                consumer.start();
                receiver = consumer;
                if (!connected.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("not connected in 60 s");
                System.out.println("ready");
            }
            System.out.flush();
            long start = System.nanoTime();
            while (true) {
                Thread.sleep(20);
                int n = handled.get() + dead.get();
                if (expected > 0 && n >= expected) break;
                // Drained: 2 s without a message after the last one (10 s when none came at all).
                long quiet = System.nanoTime() - (n == 0 ? start : last.get());
                if (expected == 0 && quiet > Duration.ofSeconds(n == 0 ? 10 : 2).toNanos()) break;
            }
            receiver.close();
        }
        int n = handled.get() + dead.get();
        double seconds = n == 0 ? 0 : (last.get() - first.get()) / 1e9;
        System.out.printf("stats handled=%d dead=%d seconds=%.3f perSecond=%.0f peakRssKb=%d%n", handled.get(), dead.get(), seconds,
                          seconds > 0 ? n / seconds : 0, peakRssKb());
        System.exit(0);
    }

    private static void tick() {
        long now = System.nanoTime();
        first.compareAndSet(0, now);
        last.set(now);
    }

    private static void count(Besked b) {
        tick();
        if (b.records().size() != 27) throw new IllegalStateException("records: " + b.records().size());
        handled.incrementAndGet();
    }

    /** The crash tests' handler: an idempotent store of BeskedIds, as a real handler would keep its records. */
    private static void store(Besked b) throws IOException {
        tick();
        log("call " + b.beskedId() + " " + b.attempt() + " " + b.interrupted());
        if (plan.equals("in-handler")) killIfDue("in-handler", b.beskedId());
        // Only a call after an interrupted one can find its records already stored.
        if (!(b.interrupted() && stored.contains(b.beskedId()))) {
            effects.write((b.beskedId() + "\n").getBytes(StandardCharsets.UTF_8));
            effects.getFD().sync();
            stored.add(b.beskedId());
        }
        if (plan.equals("after-effect")) killIfDue("after-effect", b.beskedId());
        handled.incrementAndGet();
    }

    private static void killIfDue(String where, String beskedId) {
        if (seen.incrementAndGet() != killAt) return;
        try {
            log("kill " + where + " " + beskedId);
            new ProcessBuilder("kill", "-KILL", Long.toString(ProcessHandle.current().pid())).start().waitFor();
            Thread.sleep(60_000);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void log(String line) throws IOException {
        calls.write((line + "\n").getBytes(StandardCharsets.UTF_8)); // write(2): survives SIGKILL (page cache)
    }

    private static long peakRssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        return -1;
    }
}
