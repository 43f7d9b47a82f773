package dk.eindkomst.transport.amqp;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * What the adapter reads from a Beskedfordeler envelope: the {@code BeskedId} and the Base64 payloads
 * ({@code Beskeddata/Base64}, matched by local name in any namespace, since real messages use
 * {@code urn:oio:besked:kuvert:1.0}, {@code urn:besked:kuvert:1.0} or none). No DTDs, no entities.
 *
 * @param beskedId the text of {@code BeskedId}'s child ({@code UUIDIdentifikator} or {@code URNIdentifikator}), or null
 * @param base64   the text of each {@code Beskeddata/Base64}, in order (whitespace is left to the engine)
 */
record Haendelsesbesked(String beskedId, List<String> base64) {

    /** Thrown when the body is not a readable Haendelsesbesked. */
    static final class BadEnvelope extends Exception {
        private static final long serialVersionUID = 1L;

        BadEnvelope(String message) {
            super(message);
        }
    }

    static Haendelsesbesked parse(byte[] body) throws BadEnvelope {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        String beskedId = null;
        List<String> payloads = new ArrayList<>();
        List<String> path = new ArrayList<>();
        StringBuilder text = null;
        try {
            XMLStreamReader r = f.createXMLStreamReader(new ByteArrayInputStream(body));
            while (r.hasNext()) {
                int ev = r.next();
                if (ev == XMLStreamConstants.START_ELEMENT) {
                    path.add(r.getLocalName());
                    if (path.size() == 1 && !"Haendelsesbesked".equals(r.getLocalName())) {
                        throw new BadEnvelope("root element is " + r.getLocalName() + ", not Haendelsesbesked");
                    }
                    boolean idLeaf = path.size() == 3 && "BeskedId".equals(path.get(1));
                    boolean payload = path.size() == 3 && "Beskeddata".equals(path.get(1)) && "Base64".equals(r.getLocalName());
                    text = idLeaf || payload ? new StringBuilder() : null;
                } else if (ev == XMLStreamConstants.CHARACTERS || ev == XMLStreamConstants.CDATA) {
                    if (text != null) text.append(r.getText());
                } else if (ev == XMLStreamConstants.END_ELEMENT) {
                    if (text != null && path.size() == 3) {
                        if ("BeskedId".equals(path.get(1))) beskedId = text.toString().trim();
                        else payloads.add(text.toString());
                    }
                    text = null;
                    path.remove(path.size() - 1);
                } else if (ev == XMLStreamConstants.DTD) {
                    throw new BadEnvelope("DTD not allowed");
                }
            }
        } catch (XMLStreamException e) {
            throw new BadEnvelope("not well-formed XML at line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNumber()));
        }
        return new Haendelsesbesked(beskedId, payloads);
    }

    /** The payload as bytes for the engine (Base64 is ASCII). */
    static byte[] ascii(String base64) {
        return base64.getBytes(StandardCharsets.ISO_8859_1);
    }
}
