package dk.eindkomst.transport.soap;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Loopback stand-in for Serviceplatformen's two SF0770_E services. Every request is checked (HTTP method,
 * Content-Type, SOAPAction, WS-Addressing/Framework headers, the exact element tree against the shape the
 * test expects, and the value formats); a request that fails a check gets a soap:Client fault and the
 * problem is recorded. Semantics: a subscription table per SE-nr, a dataafgrænsning whitelist answered with
 * a Fejl, Advis for repeated start/stop, a fresh order id per order, and injected platform faults.
 */
final class SoapDouble implements AutoCloseable {
    static final String VEDLIGEHOLD_PATH = "/service/SKAT/IndkomstAbonnementVedligehold/3";
    static final String BESTIL_PATH = "/service/SKAT/IndkomstOplysningVirksomhedAbonnentBestil/2";
    static final String VEDLIGEHOLD_ACTION = "http://www.kombit.dk/2017/01/01/IndkomstAbonnementVedligeholdService_3#Ajourfoer";
    static final String BESTIL_ACTION = "http://www.kombit.dk/2017/01/01/IndkomstOplysningVirksomhedAbonnentBestilService_2#Bestil";

    /** One request as received. */
    record Request(String path, String soapAction, String transaktionsId, Element root, String shape) {}

    private final HttpServer server;
    private final Set<String> allowedSeNr;
    final Map<String, Set<String>> subscriptions = new HashMap<>();
    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    final List<String> issuedOrders = Collections.synchronizedList(new ArrayList<>());
    private volatile String expectedShape;
    private volatile String[] nextFault;
    private volatile int nextRawStatus;

    SoapDouble(Set<String> allowedSeNr) throws IOException {
        this(allowedSeNr, null);
    }

    /** With {@code tls}: HTTPS that requires a client certificate (mutual TLS), as Serviceplatformen does. */
    SoapDouble(Set<String> allowedSeNr, javax.net.ssl.SSLContext tls) throws IOException {
        this.allowedSeNr = allowedSeNr;
        if (tls == null) {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } else {
            var https = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls) {
                @Override
                public void configure(com.sun.net.httpserver.HttpsParameters params) {
                    javax.net.ssl.SSLParameters p = tls.getDefaultSSLParameters();
                    p.setNeedClientAuth(true);
                    params.setSSLParameters(p);
                }
            });
            server = https;
        }
        server.createContext(VEDLIGEHOLD_PATH, ex -> handle(ex, VEDLIGEHOLD_ACTION));
        server.createContext(BESTIL_PATH, ex -> handle(ex, BESTIL_ACTION));
        server.start();
    }

    URI uri(String path) {
        String scheme = server instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http";
        return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** The element tree the next request must have (a resource under soap/, see {@link #shapeOf}). */
    void expectShape(String resource) {
        try (InputStream in = SoapDouble.class.getResourceAsStream("/soap/" + resource)) {
            expectedShape = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next request is answered with a ServiceplatformFault (HTTP 500). */
    void failNext(String errorCode, String errorText) {
        nextFault = new String[] {errorCode, errorText};
    }

    /** The next request is answered with this HTTP status and a non-SOAP body. */
    void rawNext(int status) {
        nextRawStatus = status;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange ex, String action) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (nextRawStatus != 0) {
                int s = nextRawStatus;
                nextRawStatus = 0;
                send(ex, s, "<html>Bad Gateway</html>");
                return;
            }
            List<String> found = new ArrayList<>();
            Element root = null;
            String shape = null;
            String transaktionsId = null;
            try {
                if (!"POST".equals(ex.getRequestMethod())) found.add("method " + ex.getRequestMethod());
                String ct = ex.getRequestHeaders().getFirst("Content-Type");
                if (ct == null || !ct.startsWith("text/xml")) found.add("Content-Type " + ct);
                String soapAction = ex.getRequestHeaders().getFirst("SOAPAction");
                if (!("\"" + action + "\"").equals(soapAction)) found.add("SOAPAction " + soapAction);
                DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
                f.setNamespaceAware(true);
                f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                Element env = f.newDocumentBuilder().parse(new ByteArrayInputStream(body)).getDocumentElement();
                shape = shapeOf(env);
                if (expectedShape != null && !expectedShape.equals(shape)) {
                    found.add("element tree differs from the spec's:\n--- expected\n" + expectedShape + "--- got\n" + shape);
                }
                Element header = kid(env, Ns.SOAP, "Header");
                if (!action.equals(textOf(kid(header, Ns.WSA, "Action")))) found.add("wsa:Action");
                if (!uri(ex.getHttpContext().getPath()).toString().equals(textOf(kid(header, Ns.WSA, "To")))) found.add("wsa:To");
                if (!textOf(kid(header, Ns.WSA, "MessageID")).matches("urn:uuid:[0-9a-f-]{36}")) found.add("wsa:MessageID");
                Element fw = kid(header, Ns.SBF, "Framework");
                if (!"2.0".equals(fw.getAttribute("version"))
                        || !"urn:liberty:sb:profile:basic".equals(fw.getAttributeNS(Ns.SBF_PROFILE, "profile"))) {
                    found.add("sbf:Framework attributes");
                }
                root = firstKid(kid(env, Ns.SOAP, "Body"));
                Element hoved = kid(root, Ns.KONTEKST, "HovedOplysninger");
                transaktionsId = textOf(kid(hoved, Ns.KONTEKST, "TransaktionsId"));
                if (!transaktionsId.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) found.add("TransaktionsId");
                OffsetDateTime.parse(textOf(kid(hoved, Ns.KONTEKST, "TransaktionsTid")));
                checkValues(root, found);
            } catch (Exception e) {
                found.add("unreadable request: " + e);
            }
            if (!found.isEmpty()) {
                problems.addAll(found);
                send(ex, 500, fault("soap:Client", "request check failed", "TEST-CHECK", String.join("; ", found)));
                return;
            }
            requests.add(new Request(ex.getHttpContext().getPath(), action, transaktionsId, root, shape));
            if (nextFault != null) {
                String[] fault = nextFault;
                nextFault = null;
                send(ex, 500, fault("soap:Server", "Serviceplatformen fejl", fault[0], fault[1]));
                return;
            }
            if (action.equals(VEDLIGEHOLD_ACTION)) vedligehold(ex, root, transaktionsId);
            else bestil(ex, root, transaktionsId);
        }
    }

    private void vedligehold(HttpExchange ex, Element root, String transaktionsId) throws IOException {
        Element inddata = kid(root, Ns.KOMBIT, "PersonIndkomstAbonnementInddata");
        String se = textOf(all(inddata, Ns.VIRKSOMHED, "VirksomhedSENummerIdentifikator").get(0));
        StringBuilder reaktioner = new StringBuilder();
        if (!allowedSeNr.contains(se)) {
            reaktioner.append(reaktion("Fejl", "4100", "SE-nr er ikke omfattet af dataafgrænsningen", "Serviceplatformen"));
        } else {
            boolean start = !all(inddata, Ns.FASE2, "PersonStartAbonnementSamling").isEmpty();
            Set<String> set = subscriptions.computeIfAbsent(se, k -> new LinkedHashSet<>());
            for (Element cpr : all(inddata, Ns.CPR, "PersonCivilRegistrationIdentifier")) {
                boolean changed = start ? set.add(textOf(cpr)) : set.remove(textOf(cpr));
                if (!changed) {
                    reaktioner.append(reaktion("Advis", "210", start ? "Person er allerede tilmeldt abonnementet"
                                                                 : "Person er ikke tilmeldt abonnementet", "SKAT"));
                }
            }
        }
        send(ex, 200, template("ajourfoer-ok.xml").replace("${TransaktionsId}", transaktionsId)
                .replace("${SvarReaktion}", reaktioner.toString()));
    }

    private void bestil(HttpExchange ex, Element root, String transaktionsId) throws IOException {
        Element inddata = kid(root, Ns.KOMBIT, "IndkomstOplysningVirksomhedAbonnentBestilInddata");
        String se = textOf(all(kid(inddata, Ns.FASE2, "AbonnentSamling"), Ns.VIRKSOMHED, "VirksomhedSENummerIdentifikator").get(0));
        if (!allowedSeNr.contains(se)) {
            // A Fejl answer still has the Uddata element in recorded answers; the order id is then empty.
            send(ex, 200, template("bestil-ok.xml").replace("${TransaktionsId}", transaktionsId).replace("${BestillingId}", "")
                    .replace("${SvarReaktion}", reaktion("Fejl", "4100", "SE-nr er ikke omfattet af dataafgrænsningen", "Serviceplatformen")));
            return;
        }
        String order = UUID.randomUUID().toString();
        issuedOrders.add(order);
        send(ex, 200, template("bestil-ok.xml").replace("${TransaktionsId}", transaktionsId).replace("${BestillingId}", order)
                .replace("${SvarReaktion}", ""));
    }

    private static void checkValues(Element root, List<String> found) {
        for (Element e : all(root, Ns.VIRKSOMHED, "VirksomhedSENummerIdentifikator")) {
            if (!textOf(e).matches("[0-9]{8}")) found.add("SE-nr format");
        }
        for (Element e : all(root, Ns.CPR, "PersonCivilRegistrationIdentifier")) {
            if (!textOf(e).matches("[0-9]{10}")) found.add("CPR format");
        }
        for (String[] code : new String[][] {{Ns.ABONNENTTYPE, "AbonnentTypeKode"}, {Ns.ABONNEMENTTYPE, "AbonnementTypeKode"},
                                             {Ns.ADGANGFORMAALTYPE, "AdgangFormaalTypeKode"}}) {
            List<Element> es = all(root, code[0], code[1]);
            if (es.size() != 1 || !textOf(es.get(0)).matches("[0-9]+")) found.add(code[1]);
        }
        for (Element e : all(root, Ns.XKOM_START, "StartDate")) LocalDate.parse(textOf(e));
        for (Element e : all(root, Ns.XKOM_END, "EndDate")) LocalDate.parse(textOf(e));
        for (Element e : all(root, Ns.SOEGEFRA, "SoegeAarMaanedFraKode")) if (!textOf(e).matches("[0-9]{4}(0[1-9]|1[0-2])")) found.add("SoegeAarMaanedFraKode");
        for (Element e : all(root, Ns.SOEGETIL, "SoegeAarMaanedTilKode")) if (!textOf(e).matches("[0-9]{4}(0[1-9]|1[0-2])")) found.add("SoegeAarMaanedTilKode");
    }

    /** The element tree as indented {@code prefix:local} lines, prefixes as in {@link Ns#PREFIXES}. */
    static String shapeOf(Element root) {
        StringBuilder sb = new StringBuilder();
        shape(root, 0, sb);
        return sb.toString();
    }

    private static void shape(Element e, int depth, StringBuilder sb) {
        String prefix = "{" + e.getNamespaceURI() + "}";
        for (String[] p : Ns.PREFIXES) if (p[1].equals(e.getNamespaceURI())) prefix = p[0] + ":";
        sb.append("  ".repeat(depth)).append(prefix).append(e.getLocalName()).append('\n');
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) shape(c, depth + 1, sb);
        }
    }

    static String reaktion(String art, String id, String tekst, String kilde) {
        return "        <ns3:SvarReaktion xmlns:ns3=\"" + Ns.KONTEKST + "\"><ns3:" + art + "><ns3:" + art + "Id>" + id + "</ns3:" + art
               + "Id><ns3:" + art + "Tekst>" + tekst + "</ns3:" + art + "Tekst><ns3:KildeId>" + kilde + "</ns3:KildeId></ns3:" + art
               + "></ns3:SvarReaktion>\n";
    }

    static String fault(String code, String string, String errorCode, String errorText) {
        return template("fault.xml").replace("${FaultString}", string).replace("${ErrorCode}", errorCode)
                .replace("${ErrorText}", errorText.replace("&", "&amp;").replace("<", "&lt;"));
    }

    private static String template(String name) {
        try (InputStream in = SoapDouble.class.getResourceAsStream("/soap/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/xml; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    static Element kid(Element parent, String ns, String local) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && local.equals(e.getLocalName()) && ns.equals(e.getNamespaceURI())) return e;
        }
        throw new IllegalArgumentException("missing " + local);
    }

    static Element firstKid(Element parent) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) if (n instanceof Element e) return e;
        throw new IllegalArgumentException("empty " + parent.getLocalName());
    }

    static List<Element> all(Element root, String ns, String local) {
        List<Element> out = new ArrayList<>();
        var list = root.getElementsByTagNameNS(ns, local);
        for (int i = 0; i < list.getLength(); i++) out.add((Element) list.item(i));
        return out;
    }

    static String textOf(Element e) {
        return e.getTextContent().trim();
    }
}
