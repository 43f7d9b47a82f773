package dk.eindkomst.transport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * The one XML parser of the adapters (Beskedfordeler envelopes, SOAP answers, STS tokens): namespace-aware, DTDs
 * and external entities refused, errors thrown rather than printed.
 */
public final class Xml {
    private Xml() {}

    /** Throws on errors instead of printing them (the default handler writes the parser's text, which may quote the input, to stderr). */
    private static final ErrorHandler QUIET = new ErrorHandler() {
        @Override public void warning(SAXParseException e) { }
        @Override public void error(SAXParseException e) throws SAXParseException { throw e; }
        @Override public void fatalError(SAXParseException e) throws SAXParseException { throw e; }
    };

    /** A new namespace-aware DOM builder that refuses DTDs (so no entities) and XInclude; not thread-safe. */
    public static DocumentBuilder secureDocumentBuilder() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(QUIET);
            return b;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses {@code xml} with a fresh {@link #secureDocumentBuilder()}; a parser's message may quote the document. */
    public static Document parse(byte[] xml) throws SAXException, IOException {
        return secureDocumentBuilder().parse(new ByteArrayInputStream(xml));
    }
}
