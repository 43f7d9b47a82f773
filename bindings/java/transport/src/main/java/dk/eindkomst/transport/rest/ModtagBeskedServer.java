package dk.eindkomst.transport.rest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dk.eindkomst.transport.beskedfordeler.BeskedHandler;
import dk.eindkomst.transport.beskedfordeler.BeskedReceiver;
import dk.eindkomst.transport.beskedfordeler.BodyForm;
import dk.eindkomst.transport.beskedfordeler.DeadLetterSink;
import dk.eindkomst.transport.beskedfordeler.Ledger;
import dk.eindkomst.transport.beskedfordeler.ReceiverListener;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamReader;

/**
 * The REST push channel of Beskedfordeler (BeskedFåTilsendt; "IndkomstindberetningBeskedModtag"): an HTTPS
 * endpoint with mutual TLS (TLS 1.2 by default; a client certificate the trust material does not accept is
 * refused in the handshake) that takes {@code POST <path>} with a {@code ModtagBeskedInput} and answers HTTP 200
 * with a {@code ModtagBeskedOutput}, whose {@code StandardRetur/StatusKode} tells Beskedfordeler what to do:
 * <table>
 * <caption>Answers</caption>
 * <tr><th>StatusKode</th><th>when</th><th>Beskedfordeler then</th></tr>
 * <tr><td>20</td><td>handled, a duplicate of a settled BeskedId, or dead-lettered (schema-invalid input, no
 *     BeskedId, bad payload, handler out of attempts): stored in the dead-letter sink with the reason</td>
 *     <td>removes the message from the dueslag</td></tr>
 * <tr><td>40</td><td>the handler failed with attempts left, or the dead-letter sink failed</td>
 *     <td>pauses and retries the same message with growing intervals (FIFO: nothing overtakes it)</td></tr>
 * <tr><td>51</td><td>a POST to another path than the configured one</td><td>stops delivery</td></tr>
 * <tr><td>53</td><td>the receiver is closing, the ledger cannot be written, or the body exceeds the size limit</td>
 *     <td>stops delivery (an operator must look)</td></tr>
 * <tr><td>55</td><td>a {@code ModtagBeskedInput} of another interface version (namespace other than
 *     {@code urn:oio:sts:1.0.0}; Assumption: KOMBIT marks a new version by a new namespace)</td><td>stops delivery</td></tr>
 * </table>
 * Input is processed one request at a time through {@link BeskedReceiver}, with the same {@link Ledger} (may be
 * shared with the AMQP consumer) and the same {@link BeskedHandler} interface as the AMQP channel.
 */
public final class ModtagBeskedServer implements AutoCloseable {
    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY each answer waits ~40 ms for the
        // client's delayed ACK (measured: 19 instead of hundreds of messages/s). Read once, when the first
        // HttpServer of the process is made; a value set by the application wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final Config config;
    private final BeskedReceiver receiver;
    private final HttpsServer server;
    private final ExecutorService executor;
    private volatile boolean closing;

    /** Settings; build with {@link #builder(InetSocketAddress, SSLContext, Ledger, DeadLetterSink)}. */
    public static final class Config {
        final InetSocketAddress address;
        final SSLContext tls;
        final Ledger ledger;
        final DeadLetterSink deadLetterSink;
        String path = "/ModtagBesked";
        String[] protocols = {"TLSv1.2"};
        int maxAttempts = 5;
        long maxBodyBytes = 64L << 20;
        int threads = 4;
        ReceiverListener listener;

        private Config(InetSocketAddress address, SSLContext tls, Ledger ledger, DeadLetterSink sink) {
            this.address = Objects.requireNonNull(address);
            this.tls = Objects.requireNonNull(tls);
            this.ledger = Objects.requireNonNull(ledger);
            this.deadLetterSink = Objects.requireNonNull(sink);
        }

        /** The resource path (default {@code /ModtagBesked}). */
        public Config path(String p) { path = p; return this; }

        /** TLS protocol versions offered (default TLSv1.2, as Beskedfordeler uses). */
        public Config protocols(String... p) { protocols = p.clone(); return this; }

        /** Handler attempts per BeskedId before the message is dead-lettered (default 5). */
        public Config maxAttempts(int n) { maxAttempts = n; return this; }

        /** Largest body accepted (default 64 MiB); a larger one is answered 53. */
        public Config maxBodyBytes(long n) { maxBodyBytes = n; return this; }

        /** Threads for connections (default 4); messages are still handled one at a time. */
        public Config threads(int n) { threads = n; return this; }

        public Config listener(ReceiverListener l) { listener = l; return this; }
    }

    /**
     * Settings for a server on {@code address} (production: port 443), whose {@code tls} context holds the
     * endpoint's certificate (the one registered in Administrationsmodul) and trusts only Beskedfordeler's.
     */
    public static Config builder(InetSocketAddress address, SSLContext tls, Ledger ledger, DeadLetterSink sink) {
        return new Config(address, tls, ledger, sink);
    }

    public ModtagBeskedServer(Config config, BeskedHandler handler) throws IOException {
        this.config = config;
        this.receiver = new BeskedReceiver(config.ledger, handler, config.maxAttempts, config.listener);
        this.server = HttpsServer.create(config.address, 50);
        server.setHttpsConfigurator(new HttpsConfigurator(config.tls) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = config.tls.getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                p.setProtocols(config.protocols);
                params.setSSLParameters(p);
            }
        });
        server.createContext("/", this::exchange);
        executor = Executors.newFixedThreadPool(config.threads, r -> {
            Thread t = new Thread(r, "modtag-besked");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
    }

    /** Starts listening. */
    public void start() {
        server.start();
    }

    /** The port listened on (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops: requests from now on are answered 53; a running one gets up to 1 s to finish (Beskedfordeler resends what got no answer). */
    @Override
    public void close() {
        closing = true;
        server.stop(1);
        executor.shutdown();
    }

    private void exchange(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", "POST");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            if (!config.path.equals(ex.getRequestURI().getPath())) {
                answer(ex, 51, "no such operation; use POST " + config.path);
                return;
            }
            byte[] body = read(ex.getRequestBody());
            if (body == null) {
                answer(ex, 53, "message larger than " + config.maxBodyBytes + " bytes");
                return;
            }
            if (closing) {
                answer(ex, 53, "receiver is stopping");
                return;
            }
            if (otherVersion(body)) {
                answer(ex, 55, "ModtagBeskedInput of another interface version; this receiver implements " + STS);
                return;
            }
            BeskedReceiver.Receipt r = receiver.receive(body, BodyForm.MODTAG_BESKED_INPUT, null, false, config.deadLetterSink);
            switch (r.outcome()) {
                case HANDLED, DUPLICATE -> answer(ex, 20, null);
                case DEAD_LETTERED -> answer(ex, 20, "not handed to the receiving system, kept as a dead letter: " + r.code());
                case RETRY -> answer(ex, 40, r.text());
                case UNAVAILABLE -> answer(ex, 53, r.text());
            }
        }
    }

    private byte[] read(InputStream in) throws IOException {
        byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, config.maxBodyBytes + 1));
        return b.length > config.maxBodyBytes ? null : b;
    }

    static final String STS = "urn:oio:sts:1.0.0";

    /** The root is a ModtagBeskedInput in a namespace other than ours (no DTDs, only the first element is read). */
    private static boolean otherVersion(byte[] body) {
        try {
            XMLInputFactory f = XMLInputFactory.newFactory();
            f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
            f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
            XMLStreamReader r = f.createXMLStreamReader(new ByteArrayInputStream(body));
            while (r.hasNext()) {
                if (r.next() == XMLStreamConstants.START_ELEMENT) {
                    return "ModtagBeskedInput".equals(r.getLocalName()) && !STS.equals(r.getNamespaceURI());
                }
            }
        } catch (Exception unreadable) {
            // the receiver dead-letters it with the reason
        }
        return false;
    }

    /** The answer Beskedfordeler reads: HTTP 200 with {@code ModtagBeskedOutput/StandardRetur}. */
    static byte[] output(int statusKode, String fejlbeskedTekst) {
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<sts:ModtagBeskedOutput xmlns:sts=\"urn:oio:sts:1.0.0\" xmlns:sd=\"urn:oio:sagdok:3.0.0\">")
                .append("<sd:StandardRetur><sd:StatusKode>").append(statusKode).append("</sd:StatusKode>");
        if (fejlbeskedTekst != null) x.append("<sd:FejlbeskedTekst>").append(escape(fejlbeskedTekst)).append("</sd:FejlbeskedTekst>");
        x.append("</sd:StandardRetur></sts:ModtagBeskedOutput>\n");
        return x.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void answer(HttpExchange ex, int statusKode, String text) throws IOException {
        byte[] out = output(statusKode, text);
        ex.getResponseHeaders().set("Content-Type", "application/xml; charset=UTF-8");
        ex.sendResponseHeaders(200, out.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(out);
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
