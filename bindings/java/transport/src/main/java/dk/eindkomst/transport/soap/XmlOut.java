package dk.eindkomst.transport.soap;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/** A small element writer: every namespace is declared once on the root with the prefixes of {@link Ns}. */
final class XmlOut {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final XMLStreamWriter w;
    private final Map<String, String> prefixOf = new HashMap<>();
    private boolean rootWritten;

    XmlOut() {
        try {
            w = XMLOutputFactory.newFactory().createXMLStreamWriter(bytes, "UTF-8");
            w.writeStartDocument("UTF-8", "1.0");
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        for (String[] p : Ns.PREFIXES) prefixOf.put(p[1], p[0]);
    }

    XmlOut start(String ns, String local) throws XMLStreamException {
        w.writeStartElement(prefixOf.get(ns), local, ns);
        if (!rootWritten) {
            rootWritten = true;
            for (String[] p : Ns.PREFIXES) w.writeNamespace(p[0], p[1]);
        }
        return this;
    }

    XmlOut attr(String ns, String local, String value) throws XMLStreamException {
        if (ns == null) w.writeAttribute(local, value);
        else w.writeAttribute(prefixOf.get(ns), ns, local, value);
        return this;
    }

    XmlOut end() throws XMLStreamException {
        w.writeEndElement();
        return this;
    }

    /** An element with text content. */
    XmlOut leaf(String ns, String local, String text) throws XMLStreamException {
        start(ns, local);
        w.writeCharacters(text);
        return end();
    }

    /** {@code <a><b>..<leaf>text</leaf></b></a>}: a chain of single-child wrappers around one leaf. */
    XmlOut chain(String ns, String[] wrappers, String leafNs, String leaf, String text) throws XMLStreamException {
        for (String wrapper : wrappers) start(ns, wrapper);
        leaf(leafNs, leaf, text);
        for (int i = 0; i < wrappers.length; i++) end();
        return this;
    }

    byte[] finish() throws XMLStreamException {
        w.writeEndDocument();
        w.close();
        return bytes.toByteArray();
    }
}
