package dk.eindkomst.transport.security;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/** Namespaces and DOM helpers of the WS-Security code. */
final class Dom {
    private Dom() {}

    static final String SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/";
    static final String SOAP12 = "http://www.w3.org/2003/05/soap-envelope";
    static final String WSA = "http://www.w3.org/2005/08/addressing";
    static final String SBF = "urn:liberty:sb:2006-08";
    static final String WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    static final String WSSE11 = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd";
    static final String WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    static final String DS = "http://www.w3.org/2000/09/xmldsig#";
    static final String SAML = "urn:oasis:names:tc:SAML:2.0:assertion";
    static final String WST = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
    static final String WSP = "http://schemas.xmlsoap.org/ws/2004/09/policy";
    static final String AUTH = "http://docs.oasis-open.org/wsfed/authorization/200706";

    static final String X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
    static final String BASE64 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";
    static final String SAML2_TOKEN = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0";
    static final String SAML_ID = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID";
    static final String STR_TRANSFORM = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#STR-Transform";

    static Document parse(byte[] xml) throws Exception {
        return dk.eindkomst.transport.SafeXml.parse(xml);
    }

    static Document newDocument() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().newDocument();
    }

    /** Serialised without any re-formatting (a signed document must keep its text). */
    static byte[] bytes(Node node) throws Exception {
        var t = TransformerFactory.newInstance().newTransformer();
        t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
        if (!(node instanceof Document)) t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        t.transform(new DOMSource(node), new StreamResult(out));
        return out.toByteArray();
    }

    static boolean is(Node n, String ns, String local) {
        return n instanceof Element e && local.equals(e.getLocalName()) && ns.equals(e.getNamespaceURI());
    }

    static List<Element> children(Element parent) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent == null ? null : parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) out.add(e);
        }
        return out;
    }

    /** The first child {ns}local, or null. */
    static Element child(Element parent, String ns, String local) {
        for (Element e : children(parent)) if (is(e, ns, local)) return e;
        return null;
    }

    static List<Element> descendants(Element root, String ns, String local) {
        List<Element> out = new ArrayList<>();
        var list = root.getElementsByTagNameNS(ns, local);
        for (int i = 0; i < list.getLength(); i++) out.add((Element) list.item(i));
        return out;
    }

    static String text(Element e) {
        return e == null ? null : e.getTextContent().trim();
    }

    static Element add(Element parent, String ns, String qname, String text) {
        Element e = parent.getOwnerDocument().createElementNS(ns, qname);
        if (text != null) e.setTextContent(text);
        parent.appendChild(e);
        return e;
    }
}
