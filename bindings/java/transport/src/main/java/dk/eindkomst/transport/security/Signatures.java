package dk.eindkomst.transport.security;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.xml.security.algorithms.MessageDigestAlgorithm;
import org.apache.xml.security.c14n.Canonicalizer;
import org.apache.xml.security.signature.Reference;
import org.apache.xml.security.signature.SignedInfo;
import org.apache.xml.security.signature.XMLSignature;
import org.apache.xml.security.transforms.Transform;
import org.apache.xml.security.transforms.Transforms;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * XML signatures as KOMBIT's policies want them, done by Apache Santuario: exclusive c14n, RSA-SHA256,
 * SHA-256 digests, references by {@code wsu:Id}; and the check of a signed answer.
 */
final class Signatures {
    private Signatures() {}

    /** Allowed clock difference to a peer's timestamp. */
    static final long SKEW_SECONDS = 60;
    /** Lifetime of the timestamps this client writes. */
    static final long TIMESTAMP_SECONDS = 300;

    static {
        org.apache.xml.security.Init.init();
        try {
            Transform.register(Dom.STR_TRANSFORM, StrTransform.class);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Gives {@code e} a fresh {@code wsu:Id} (or keeps its own) and returns it. */
    static String id(Element e) {
        if (!e.hasAttributeNS(Dom.WSU, "Id")) e.setAttributeNS(Dom.WSU, "wsu:Id", "id-" + UUID.randomUUID());
        return e.getAttributeNS(Dom.WSU, "Id");
    }

    /** A {@code wsu:Timestamp} valid from now for {@link #TIMESTAMP_SECONDS}, appended to {@code security}. */
    static Element timestamp(Element security, Instant now) {
        Instant created = now.truncatedTo(ChronoUnit.MILLIS);
        Element ts = Dom.add(security, Dom.WSU, "wsu:Timestamp", null);
        Dom.add(ts, Dom.WSU, "wsu:Created", created.toString());
        Dom.add(ts, Dom.WSU, "wsu:Expires", created.plusSeconds(TIMESTAMP_SECONDS).toString());
        id(ts);
        return ts;
    }

    /**
     * Signs the elements with the wsu:Ids {@code partIds} and, through the STR-Transform, the tokens the
     * SecurityTokenReferences with the wsu:Ids {@code strIds} name; the signature goes last into the message's
     * {@code wsse:Security}, with {@code keyInfo} (made in the signed document) as its KeyInfo content.
     * The document is serialised and read back first: Santuario canonicalises the namespace declarations
     * that are attributes, and elements made with the DOM API have none until serialised.
     */
    static byte[] sign(Document built, List<String> partIds, List<String> strIds, PrivateKey key,
                       java.util.function.Function<Document, Element> keyInfo) throws Exception {
        Document doc = Dom.parse(Dom.bytes(built));
        NodeList all = doc.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (e.hasAttributeNS(Dom.WSU, "Id")) e.setIdAttributeNS(Dom.WSU, "Id", true);
            if (Dom.is(e, Dom.SAML, "Assertion")) e.setIdAttribute("ID", true);
        }
        Element security = Dom.descendants(doc.getDocumentElement(), Dom.WSSE, "Security").get(0);
        XMLSignature sig = new XMLSignature(doc, "", XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA256, Canonicalizer.ALGO_ID_C14N_EXCL_OMIT_COMMENTS);
        security.appendChild(sig.getElement());
        for (String id : partIds) {
            Transforms t = new Transforms(doc);
            t.addTransform(Transforms.TRANSFORM_C14N_EXCL_OMIT_COMMENTS);
            sig.addDocument("#" + id, t, MessageDigestAlgorithm.ALGO_ID_DIGEST_SHA256);
        }
        for (String id : strIds) {
            Element params = doc.createElementNS(Dom.WSSE, "wsse:TransformationParameters");
            Dom.add(params, Dom.DS, "ds:CanonicalizationMethod", null).setAttribute("Algorithm", Canonicalizer.ALGO_ID_C14N_EXCL_OMIT_COMMENTS);
            Transforms t = new Transforms(doc);
            t.addTransform(Dom.STR_TRANSFORM, params);
            sig.addDocument("#" + id, t, MessageDigestAlgorithm.ALGO_ID_DIGEST_SHA256);
        }
        sig.getKeyInfo().addUnknownElement(keyInfo.apply(doc));
        sig.sign(key);
        return Dom.bytes(doc);
    }

    /** {@code <wsse:BinarySecurityToken>} with a certificate. */
    static Element binaryToken(Document doc, X509Certificate cert) throws Exception {
        Element bst = doc.createElementNS(Dom.WSSE, "wsse:BinarySecurityToken");
        bst.setAttribute("EncodingType", Dom.BASE64);
        bst.setAttribute("ValueType", Dom.X509V3);
        bst.setTextContent(Base64.getEncoder().encodeToString(cert.getEncoded()));
        return bst;
    }

    /**
     * Checks a service answer: its {@code wsse:Security} holds a live timestamp and a signature that verifies
     * with {@code service} (the configured certificate; the answer's BinarySecurityToken must be that one) and
     * covers this envelope's Body, the Timestamp and any {@code wsa:RelatesTo}. An answer without any
     * signature passes only when {@code fault} (Assumption: a platform fault may come unsigned).
     */
    static void verifyAnswer(byte[] answer, X509Certificate service, Instant now, boolean fault) throws GeneralSecurityException {
        Document doc;
        try {
            doc = Dom.parse(answer);
        } catch (Exception e) {
            throw new GeneralSecurityException("answer is not well-formed XML");
        }
        Element env = doc.getDocumentElement();
        Element header = Dom.child(env, Dom.SOAP11, "Header");
        Element body = Dom.child(env, Dom.SOAP11, "Body");
        Element security = Dom.child(header, Dom.WSSE, "Security");
        Element sigEl = Dom.child(security, Dom.DS, "Signature");
        if (sigEl == null) {
            if (fault) return;
            throw new GeneralSecurityException("answer is not signed");
        }
        Map<String, Element> ids = new HashMap<>();
        NodeList all = doc.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (e.hasAttributeNS(Dom.WSU, "Id")) {
                e.setIdAttributeNS(Dom.WSU, "Id", true);
                if (ids.put(e.getAttributeNS(Dom.WSU, "Id"), e) != null) throw new GeneralSecurityException("answer uses an id twice");
            }
        }
        Element ts = Dom.child(security, Dom.WSU, "Timestamp");
        if (ts == null) throw new GeneralSecurityException("answer without wsu:Timestamp");
        try {
            if (!now.isBefore(Instant.parse(Dom.text(Dom.child(ts, Dom.WSU, "Expires"))).plusSeconds(SKEW_SECONDS))) {
                throw new GeneralSecurityException("answer's wsu:Timestamp has expired");
            }
        } catch (java.time.format.DateTimeParseException e) {
            throw new GeneralSecurityException("answer's wsu:Timestamp is unreadable");
        }
        Element ref = Dom.child(Dom.child(Dom.child(sigEl, Dom.DS, "KeyInfo"), Dom.WSSE, "SecurityTokenReference"), Dom.WSSE, "Reference");
        Element bst = ref == null ? null : ids.get(ref.getAttribute("URI").replaceFirst("^#", ""));
        try {
            if (bst == null || !Dom.is(bst, Dom.WSSE, "BinarySecurityToken")
                || !Arrays.equals(Base64.getMimeDecoder().decode(Dom.text(bst)), service.getEncoded())) {
                throw new GeneralSecurityException("answer signed by another certificate than the service's");
            }
            XMLSignature sig = new XMLSignature(sigEl, "", true);
            SignedInfo si = sig.getSignedInfo();
            if (!XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA256.equals(si.getSignatureMethodURI())
                || !Canonicalizer.ALGO_ID_C14N_EXCL_OMIT_COMMENTS.equals(si.getCanonicalizationMethodURI())) {
                throw new GeneralSecurityException("answer signature does not use RSA-SHA256 with exclusive c14n");
            }
            boolean bodySigned = false, timestampSigned = false;
            for (int i = 0; i < si.getLength(); i++) {
                Reference r = si.item(i);
                Element target = ids.get(r.getURI().replaceFirst("^#", ""));
                bodySigned |= target == body;
                timestampSigned |= target == ts;
            }
            for (Element relates : Dom.children(header)) {
                if (Dom.is(relates, Dom.WSA, "RelatesTo") && !covers(si, ids, relates)) throw new GeneralSecurityException("answer's wsa:RelatesTo is not signed");
            }
            if (!bodySigned || !timestampSigned) throw new GeneralSecurityException("answer signature does not cover soap:Body and wsu:Timestamp");
            if (!si.verify(false)) throw new GeneralSecurityException("answer was changed after it was signed (a digest does not match)");
            if (!sig.checkSignatureValue(service.getPublicKey())) {
                throw new GeneralSecurityException("answer signature does not verify with the service certificate");
            }
        } catch (GeneralSecurityException e) {
            throw e;
        } catch (Exception e) {
            throw new GeneralSecurityException("answer signature is unreadable", e);
        }
    }

    private static boolean covers(SignedInfo si, Map<String, Element> ids, Element e) throws Exception {
        for (int i = 0; i < si.getLength(); i++) if (ids.get(si.item(i).getURI().replaceFirst("^#", "")) == e) return true;
        return false;
    }
}
