package dk.eindkomst.transportdouble;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXParseException;

/**
 * Validation of request bodies against the official schemas (xsd/, a copy of the spec's xsd folder; see its
 * README): KOMBIT's kontekst schema for {@code HovedOplysninger}, SKAT's request schema for the Inddata content
 * (re-rooted under SKAT's own root element with an empty HovedOplysninger, as the README says), and the
 * reconstructed KOMBIT wrapper, whose findings are only warnings (it is not an official artefact).
 */
final class Schemas {
    private final Schema kontekst;
    private final Schema skatAjourfoer;
    private final Schema skatBestil;
    private final Schema reconstructed;

    Schemas(Path xsd) throws Exception {
        kontekst = load(xsd.resolve("kombit-context/KontekstType.xsd"));
        skatAjourfoer = load(xsd.resolve("skat/skat_dk/eindkomst/IndkomstOplysningPersonAbonnementAjourfoer_I.xsd"));
        skatBestil = load(xsd.resolve("skat/skat_dk/eindkomst/IndkomstOplysningVirksomhedAbonnentBestil_I_I.xsd"));
        reconstructed = load(xsd.resolve("reconstructed/AUDIT-kombit2017-SF0770E-reconstructed.xsd"));
    }

    private static Schema load(Path file) throws Exception {
        SchemaFactory f = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "file");
        return f.newSchema(new StreamSource(file.toFile()));
    }

    /** Findings of {@code kontekst:HovedOplysninger} (or {@code HovedOplysningerSvar}) against KontekstType.xsd. */
    List<String> kontekst(Element hovedOplysninger) {
        return validate(kontekst, hovedOplysninger, "kontekst schema");
    }

    /**
     * Findings of the Inddata content against SKAT's schema: the children of the KOMBIT Inddata element go
     * under {@code fase2:<root>/fase2:<inddata>} after an empty SKAT {@code HovedOplysninger}.
     */
    List<String> skat(boolean vedligehold, Element kombitInddata) throws Exception {
        String root = vedligehold ? "IndkomstOplysningPersonAbonnementAjourfoer_I" : "IndkomstOplysningVirksomhedAbonnentBestil_I_I";
        String inddata = vedligehold ? "PersonIndkomstAbonnementInddata" : "IndkomstOplysningVirksomhedAbonnentBestilInddata";
        Document doc = Xml.newDocument();
        Element r = doc.createElementNS(Xml.FASE2, "fase2:" + root);
        doc.appendChild(r);
        Xml.add(r, Xml.SKAT_KONTEKST, "skatkontekst:HovedOplysninger", null);
        Element i = Xml.add(r, Xml.FASE2, "fase2:" + inddata, null);
        for (Element c : Xml.children(kombitInddata)) i.appendChild(doc.importNode(c, true));
        return validate(vedligehold ? skatAjourfoer : skatBestil, r, "SKAT schema " + root + ".xsd");
    }

    /** Findings of the whole Body child against the reconstructed KOMBIT wrapper (warnings). */
    List<String> reconstructed(Element bodyChild) {
        return validate(reconstructed, bodyChild, "reconstructed KOMBIT wrapper (not official)");
    }

    private static List<String> validate(Schema schema, Element e, String against) {
        List<String> findings = new ArrayList<>();
        var v = schema.newValidator();
        v.setErrorHandler(new ErrorHandler() {
            @Override public void warning(SAXParseException x) { }
            @Override public void error(SAXParseException x) { findings.add(against + ": " + Mask.cpr(x.getMessage())); }
            @Override public void fatalError(SAXParseException x) { error(x); }
        });
        try {
            v.validate(new DOMSource(e));
        } catch (Exception x) {
            if (findings.isEmpty()) findings.add(against + ": " + Mask.cpr(x.getMessage()));
        }
        return findings;
    }
}
