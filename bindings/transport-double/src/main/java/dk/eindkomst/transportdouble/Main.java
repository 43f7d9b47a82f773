package dk.eindkomst.transportdouble;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Starts the double: the STS (HTTPS, server authentication only, like KOMBIT's certificatemixed endpoint),
 * the two services (HTTPS with a client certificate of the test CA required) and the control API (HTTP), all
 * on 127.0.0.1 with free ports. When every server listens it prints one JSON line on standard output (and
 * into {@code --ready-file}) with the URLs, entity ids, SOAP actions and certificate paths; see README.md.
 * It runs until SIGTERM, {@code POST /stop}, or with {@code --exit-on-stdin-eof} until its input closes.
 */
public final class Main {
    private Main() {}

    static void log(String line) {
        System.err.println("transport-double: " + Mask.cpr(line));
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent().getParent();
        Config config;
        try {
            config = Config.parse(args, home);
        } catch (IllegalArgumentException e) {
            System.err.println("transport-double: " + e.getMessage());
            System.exit(2);
            return;
        }
        Keys keys = new Keys(config.certs());
        Schemas schemas = new Schemas(config.xsd());
        State state = new State(config.tokenLifetime());
        SSLContext tls = keys.serverTls();
        CountDownLatch done = new CountDownLatch(1);

        HttpsServer sts = https(tls, false);
        String stsUrl = "https://127.0.0.1:" + sts.getAddress().getPort() + Config.STS_PATH;
        sts.createContext(Config.STS_PATH, new Sts(config, keys, state, stsUrl));
        HttpsServer services = https(tls, true);
        String base = "https://127.0.0.1:" + services.getAddress().getPort();
        Services handler = new Services(config, keys, state, schemas, base);
        for (Config.Service s : config.services().values()) services.createContext(s.path(), handler);
        HttpServer control = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        control.createContext("/", new Control(state, done::countDown));
        for (HttpServer s : new HttpServer[] {sts, services, control}) {
            s.setExecutor(Executors.newFixedThreadPool(4));
            s.start();
        }

        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("sts", Map.of("url", stsUrl, "entityId", config.stsEntityId()));
        Map<String, Object> svc = new LinkedHashMap<>();
        for (Config.Service s : config.services().values()) {
            svc.put(s.name(), Map.of("url", base + s.path(), "soapAction", s.soapAction(), "entityId", s.entityId()));
        }
        ready.put("services", svc);
        ready.put("amqpEntityId", config.amqpEntityId());
        ready.put("control", "http://127.0.0.1:" + control.getAddress().getPort());
        ready.put("cvr", config.cvr());
        ready.put("allowedSeNr", config.allowedSeNr());
        ready.put("certs", config.certs().toAbsolutePath().toString());
        String line = Json.of(ready);
        if (config.readyFile() != null) {
            Path tmp = config.readyFile().resolveSibling(config.readyFile().getFileName() + ".tmp");
            Files.writeString(tmp, line + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, config.readyFile(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        System.out.println(line);
        System.out.flush();

        Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
        if (config.exitOnStdinEof()) {
            Thread t = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) { /* until EOF */ }
                } catch (Exception ignored) {
                    // closed
                }
                done.countDown();
            });
            t.setDaemon(true);
            t.start();
        }
        done.await();
        for (HttpServer s : new HttpServer[] {sts, services, control}) s.stop(0);
        System.exit(0);
    }

    private static HttpsServer https(SSLContext tls, boolean needClientAuth) throws Exception {
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = tls.getDefaultSSLParameters();
                p.setNeedClientAuth(needClientAuth);
                params.setSSLParameters(p);
            }
        });
        return s;
    }
}
