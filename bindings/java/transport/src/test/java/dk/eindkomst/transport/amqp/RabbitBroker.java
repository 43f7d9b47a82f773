package dk.eindkomst.transport.amqp;

import com.rabbitmq.client.ConnectionFactory;
import dk.eindkomst.transport.TlsFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real RabbitMQ (Debian {@code rabbitmq-server}) for tests: its own node name, data and log directories
 * under a temp dir, AMQP and distribution ports on 127.0.0.1 only, no plugins. Stopped by {@link #close()}.
 */
final class RabbitBroker {
    static final String BIN = "/usr/lib/rabbitmq/bin/";
    final Path dir;
    final int port;
    final int distPort;
    final int tlsPort;
    final String node;
    private volatile Process process;

    RabbitBroker() throws Exception {
        this(null);
    }

    /** With {@code tls}: also a TLS listener on {@link #tlsPort} with EXTERNAL (certificate) login, see {@link TlsFiles}. */
    RabbitBroker(TlsFiles tls) throws Exception {
        dir = Files.createTempDirectory("eik-rabbit-");
        port = freePort();
        tlsPort = tls == null ? 0 : freePort();
        distPort = freePort();
        node = "eiktest-" + UUID.randomUUID().toString().substring(0, 8) + "@localhost";
        Files.createDirectories(dir.resolve("home"));
        Files.createDirectories(dir.resolve("mnesia"));
        Files.createDirectories(dir.resolve("log"));
        Files.writeString(dir.resolve("rabbitmq.conf"), String.join("\n",
                "loopback_users = none",
                "log.console = false",
                "") + (tls == null ? "" : String.join("\n",
                "listeners.ssl.1 = 127.0.0.1:" + tlsPort,
                "ssl_options.cacertfile = " + tls.caCert(),
                "ssl_options.certfile = " + tls.serverCert(),
                "ssl_options.keyfile = " + tls.serverKey(),
                "ssl_options.verify = verify_peer",
                "ssl_options.fail_if_no_peer_cert = true",
                "ssl_options.versions.1 = tlsv1.2",
                "auth_mechanisms.1 = PLAIN",
                "auth_mechanisms.2 = EXTERNAL",
                "ssl_cert_login_from = common_name",
                "")));
        Files.writeString(dir.resolve("enabled_plugins"), tls == null ? "[].\n" : "[rabbitmq_auth_mechanism_ssl].\n");
        // Also when the test JVM ends abnormally: no broker is left behind.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Process p = process;
            if (p != null) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }));
        start();
    }

    void start() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(BIN + "rabbitmq-server");
        env(pb.environment());
        pb.environment().put("RABBITMQ_NODE_PORT", Integer.toString(port));
        pb.environment().put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
        pb.environment().put("RABBITMQ_DIST_PORT", Integer.toString(distPort));
        pb.environment().put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}");
        pb.directory(dir.toFile());
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.out").toFile()));
        process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("rabbitmq-server exited; see " + dir.resolve("server.out"));
            try {
                factory().newConnection().close();
                return;
            } catch (Exception notYet) {
                Thread.sleep(300);
            }
        }
        throw new IllegalStateException("rabbitmq-server did not start in 90 s; see " + dir);
    }

    void stop() throws Exception {
        if (process == null) return;
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy(); // SIGTERM: the script stops the node cleanly
        if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        for (ProcessHandle h : children) {
            if (h.isAlive()) h.destroyForcibly();
        }
        process = null;
    }

    void restart() throws Exception {
        stop();
        start();
    }

    /** Closes every client connection from the broker's side ({@code rabbitmqctl close_all_connections}). */
    void closeAllConnections() throws Exception {
        ctl("close_all_connections", "test: connection killed");
    }

    /** Runs {@code rabbitmqctl <args>} against this node; returns its output. */
    String ctl(String... args) throws Exception {
        String[] cmd = new String[args.length + 3];
        cmd[0] = BIN + "rabbitmqctl";
        cmd[1] = "-n";
        cmd[2] = node;
        System.arraycopy(args, 0, cmd, 3, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        env(pb.environment());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException("rabbitmqctl " + args[0] + " failed: " + out);
        return out;
    }

    ConnectionFactory factory() {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(port);
        f.setUsername("guest");
        f.setPassword("guest");
        f.setVirtualHost("/");
        f.setAutomaticRecoveryEnabled(false);
        return f;
    }

    private void env(Map<String, String> env) {
        env.put("HOME", dir.resolve("home").toString());
        env.put("RABBITMQ_NODENAME", node);
        env.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
        env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
        env.put("ERL_EPMD_ADDRESS", "127.0.0.1");
    }

    void close() throws Exception {
        stop();
        dk.eindkomst.transport.TestDirs.deleteTree(dir);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
