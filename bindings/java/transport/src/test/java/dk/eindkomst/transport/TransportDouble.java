package dk.eindkomst.transport;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dk.eindkomst.transport.security.FunctionCertificate;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.w3c.dom.Document;

/**
 * bindings/transport-double as the tests use it: certificates made by its make-certs.sh, the program started
 * with {@code java -jar} (as the Node and C# tests start it), its ready line read, its control API called.
 */
public final class TransportDouble implements AutoCloseable {
    static final char[] PW = "changeit".toCharArray();
    private static final Path HOME = Path.of(System.getProperty("eindkomst.root", "../../..")).resolve("bindings/transport-double");

    public final Path certs;
    private final Path log;
    private final Process process;
    private final JsonObject ready;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private TransportDouble(Path dir, String... args) throws Exception {
        certs = dir.resolve("certs");
        log = dir.resolve("double.log");
        run(List.of("bash", HOME.resolve("make-certs.sh").toString(), certs.toString()));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-jar",
                HOME.resolve("target/transport-double.jar").toString(), "--certs", certs.toString(), "--exit-on-stdin-eof"));
        cmd.addAll(List.of(args));
        process = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        String line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (line == null) throw new IllegalStateException("the transport double did not start: " + Files.readString(log));
        ready = JsonParser.parseString(line).getAsJsonObject();
    }

    /** Makes certificates in {@code dir}/certs and starts the double with {@code args}. */
    public static TransportDouble start(Path dir, String... args) throws Exception {
        return new TransportDouble(dir, args);
    }

    private static TransportDouble shared;

    /**
     * One double with default settings for every test class of this JVM (certificates and start-up take
     * seconds); tests call {@code POST /reset} first. Stopped, and its directory deleted, when the JVM ends.
     */
    public static synchronized TransportDouble shared() throws Exception {
        if (shared == null) {
            Path dir = Files.createTempDirectory("eik-transport-double-");
            shared = start(dir);
            TransportDouble d = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    d.close();
                    TestDirs.deleteTree(dir);
                } catch (Exception e) {
                    // best effort at exit
                }
            }));
        }
        return shared;
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException(cmd + ": " + out);
    }

    public URI sts() { return URI.create(ready.getAsJsonObject("sts").get("url").getAsString()); }
    public URI url(String service) { return URI.create(service(service).get("url").getAsString()); }
    public String soapAction(String service) { return service(service).get("soapAction").getAsString(); }
    public String entityId(String service) { return service(service).get("entityId").getAsString(); }
    public String amqpEntityId() { return ready.get("amqpEntityId").getAsString(); }
    public String cvr() { return ready.get("cvr").getAsString(); }

    private JsonObject service(String name) { return ready.getAsJsonObject("services").getAsJsonObject(name); }

    /** TLS with {@code who}'s certificate (client or stranger) as key and the test CA as trust. */
    public SSLContext tls(String who) throws Exception {
        return Tls.fromPkcs12(certs.resolve(who + ".p12"), PW, certs.resolve("trust.p12"), PW);
    }

    public FunctionCertificate certificate(String who) throws Exception {
        return FunctionCertificate.fromPkcs12(certs.resolve(who + ".p12"), PW);
    }

    /** Serviceplatformen's answer-signing certificate of the double. */
    public X509Certificate spCertificate() throws Exception {
        try (InputStream in = Files.newInputStream(certs.resolve("sp.crt"))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    public JsonElement get(String path) throws Exception {
        return JsonParser.parseString(send(HttpRequest.newBuilder(URI.create(ready.get("control").getAsString() + path)).GET().build()));
    }

    public void post(String pathAndQuery) throws Exception {
        send(HttpRequest.newBuilder(URI.create(ready.get("control").getAsString() + pathAndQuery)).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    private String send(HttpRequest r) throws Exception {
        HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) throw new IllegalStateException(r.uri() + ": " + resp.body());
        return resp.body();
    }

    /** Every request the double saw, oldest first. */
    public List<JsonObject> requests() throws Exception {
        List<JsonObject> out = new ArrayList<>();
        for (JsonElement e : get("/requests").getAsJsonArray()) out.add(e.getAsJsonObject());
        return out;
    }

    /** The service requests only (not the STS's). */
    public List<JsonObject> serviceRequests() throws Exception {
        return requests().stream().filter(r -> !r.get("endpoint").getAsString().equals("sts")).toList();
    }

    /** The body of a recorded request, parsed. */
    public static Document body(JsonObject request) throws Exception {
        var f = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(request.get("body").getAsString().getBytes(StandardCharsets.UTF_8)));
    }

    public static String text(Document doc, String ns, String local) {
        return doc.getElementsByTagNameNS(ns, local).item(0).getTextContent().trim();
    }

    public static List<String> texts(Document doc, String ns, String local) {
        var list = doc.getElementsByTagNameNS(ns, local);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.getLength(); i++) out.add(list.item(i).getTextContent().trim());
        return out;
    }

    public List<String> subscriptions(String seNr) throws Exception {
        JsonArray a = get("/subscriptions").getAsJsonObject().getAsJsonArray(seNr);
        List<String> out = new ArrayList<>();
        if (a != null) a.forEach(e -> out.add(e.getAsString()));
        return out;
    }

    public List<String> orders() throws Exception {
        List<String> out = new ArrayList<>();
        get("/orders").getAsJsonArray().forEach(e -> out.add(e.getAsString()));
        return out;
    }

    public String log() throws Exception {
        return Files.readString(log);
    }

    @Override
    public void close() throws java.io.IOException {
        try {
            post("/stop");
        } catch (Exception e) {
            // already gone
        }
        process.getOutputStream().close();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
