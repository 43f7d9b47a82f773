package dk.eindkomst.transport.beskedfordeler;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import dk.eindkomst.transport.Xml;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * What a receiver reads from a Beskedfordeler message after checking it: the body must be well-formed XML
 * without a DTD, have the expected root, be valid against KOMBIT's schemas (Beskedkuvert.xsd for an AMQP
 * body, AnvendersystemOperationer.xsd for a REST body), and carry a non-empty {@code BeskedId}.
 *
 * @param beskedId         the text of {@code BeskedId}'s {@code UUIDIdentifikator} or {@code URNIdentifikator}
 * @param payloads         each {@code Beskeddata/Base64} (any namespace: real messages use
 *                         {@code urn:oio:besked:kuvert:1.0}, {@code urn:besked:kuvert:1.0} or none), in order
 * @param deliveryAttempts the largest {@code AntalLeveranceforsoeg} of the delivery routes, 0 when absent
 */
record Envelope(String beskedId, List<Payload> payloads, int deliveryAttempts) {
    static final String KUVERT = "urn:oio:besked:kuvert:1.0";
    static final String STS = "urn:oio:sts:1.0.0";
    static final String SAGDOK = "urn:oio:sagdok:3.0.0";

    /** One {@code Base64} element: its text and its {@code encoding} attribute (null when absent). */
    record Payload(String base64, String encoding) {}

    /** KOMBIT's schemas, packed in the jar from bindings/transport-double/xsd/beskedfordeler; thread-safe. */
    static final Schema SCHEMA = loadSchema();

    private static Schema loadSchema() {
        URL xsd = Envelope.class.getResource("/dk/eindkomst/transport/xsd/beskedfordeler/AnvendersystemOperationer.xsd");
        if (xsd == null) throw new IllegalStateException("AnvendersystemOperationer.xsd is not on the class path");
        try {
            SchemaFactory f = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            // The imports are relative files next to it in the jar; nothing else may be fetched.
            f.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "jar,file");
            f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            return f.newSchema(xsd);
        } catch (SAXException e) {
            throw new IllegalStateException("Beskedfordeler schemas do not load: " + e.getMessage(), e);
        }
    }

    private static final ThreadLocal<DocumentBuilder> PARSER = ThreadLocal.withInitial(Xml::secureDocumentBuilder);

    /** Reads and checks {@code body}; a failure is a {@link Rejection} with code bad_envelope, invalid_envelope or no_besked_id. */
    static Envelope read(byte[] body, BodyForm form) throws Rejection {
        Document doc;
        try {
            doc = PARSER.get().parse(new ByteArrayInputStream(body));
        } catch (SAXParseException e) {
            // The parser's own message may quote the body; only the position is kept.
            throw new Rejection("bad_envelope", "not well-formed XML (or a DTD) at line " + e.getLineNumber() + ", column " + e.getColumnNumber());
        } catch (SAXException | IOException e) {
            throw new Rejection("bad_envelope", "not well-formed XML");
        }
        Element root = doc.getDocumentElement();
        if (!form.local.equals(root.getLocalName()) || !form.ns.equals(root.getNamespaceURI())) {
            throw new Rejection("bad_envelope", "root element is {" + root.getNamespaceURI() + "}" + root.getLocalName()
                                + ", not {" + form.ns + "}" + form.local);
        }
        validate(body);
        Element besked = form == BodyForm.HAENDELSESBESKED ? root : firstChild(root, KUVERT, "Haendelsesbesked");
        String beskedId = null;
        Element idElement = firstChild(besked, KUVERT, "BeskedId");
        Element idLeaf = idElement == null ? null : firstElement(idElement);
        if (idLeaf != null) beskedId = idLeaf.getTextContent().trim();
        if (beskedId == null || beskedId.isEmpty()) throw new Rejection("no_besked_id", "Haendelsesbesked has no BeskedId (or an empty one)");
        List<Payload> payloads = new ArrayList<>();
        for (Node d = besked.getFirstChild(); d != null; d = d.getNextSibling()) {
            if (!(d instanceof Element data) || !KUVERT.equals(data.getNamespaceURI()) || !"Beskeddata".equals(data.getLocalName())) continue;
            for (Node n = data.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && "Base64".equals(e.getLocalName())) {
                    payloads.add(new Payload(e.getTextContent(), e.hasAttribute("encoding") ? e.getAttribute("encoding") : null));
                }
            }
        }
        int attempts = 0;
        var counts = besked.getElementsByTagNameNS(KUVERT, "AntalLeveranceforsoeg");
        for (int i = 0; i < counts.getLength(); i++) {
            try {
                attempts = Math.max(attempts, Integer.parseInt(counts.item(i).getTextContent().trim()));
            } catch (NumberFormatException tooLarge) {
                attempts = Integer.MAX_VALUE;
            }
        }
        return new Envelope(beskedId, payloads, attempts);
    }

    private static void validate(byte[] body) throws Rejection {
        Validator v = SCHEMA.newValidator();
        try {
            v.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            v.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            v.validate(new StreamSource(new ByteArrayInputStream(body)));
        } catch (SAXParseException e) {
            throw new Rejection("invalid_envelope", "not valid against the Beskedfordeler schema at line " + e.getLineNumber()
                                + ", column " + e.getColumnNumber() + ": " + e.getMessage());
        } catch (SAXException | IOException e) {
            throw new Rejection("invalid_envelope", "not valid against the Beskedfordeler schema");
        }
    }

    private static Element firstChild(Element parent, String ns, String local) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && ns.equals(e.getNamespaceURI()) && local.equals(e.getLocalName())) return e;
        }
        return null;
    }

    private static Element firstElement(Element parent) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) return e;
        }
        return null;
    }
}
