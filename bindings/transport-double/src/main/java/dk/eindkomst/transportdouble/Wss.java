package dk.eindkomst.transportdouble;

import java.security.PublicKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.xml.security.c14n.Canonicalizer;
import org.apache.xml.security.signature.Reference;
import org.apache.xml.security.signature.SignedInfo;
import org.apache.xml.security.signature.XMLSignature;
import org.apache.xml.security.transforms.Transform;
import org.apache.xml.security.transforms.Transforms;
import org.apache.xml.security.algorithms.MessageDigestAlgorithm;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** WS-Security checks shared by the STS and the services: ids, timestamp, and what a signature covers. */
final class Wss {
    private Wss() {}

    /** Allowed clock difference between the double and a client. */
    static final long SKEW_SECONDS = 5;

    static {
        org.apache.xml.security.Init.init();
        try {
            Transform.register(Xml.STR_TRANSFORM, StrTransform.class);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Ensures the static set-up ran (Santuario and the STR-Transform). */
    static void init() {}

    /**
     * Every {@code wsu:Id} and SAML {@code ID} of the document, registered as ID attributes so that signature
     * references resolve to them. A value used twice is refused: that is the shape of a wrapping attack.
     */
    static Map<String, Element> ids(Document doc) {
        Map<String, Element> ids = new HashMap<>();
        NodeList all = doc.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            String id = null;
            if (e.hasAttributeNS(Xml.WSU, "Id")) {
                id = e.getAttributeNS(Xml.WSU, "Id");
                e.setIdAttributeNS(Xml.WSU, "Id", true);
            } else if (Xml.is(e, Xml.SAML, "Assertion") && e.hasAttribute("ID")) {
                id = e.getAttribute("ID");
                e.setIdAttribute("ID", true);
            }
            if (id != null && ids.put(id, e) != null) throw new Refusal("id " + id + " is used twice");
        }
        return ids;
    }

    /** The {@code wsu:Timestamp} of a Security header; refused when missing, not yet valid or expired. */
    static Element timestamp(Element security, Instant now) {
        Element ts = Xml.child(security, Xml.WSU, "Timestamp");
        if (ts == null) throw new Refusal("missing wsu:Timestamp in wsse:Security");
        Instant created = instant(Xml.child(ts, Xml.WSU, "Created"), "wsu:Timestamp/wsu:Created");
        Instant expires = instant(Xml.child(ts, Xml.WSU, "Expires"), "wsu:Timestamp/wsu:Expires");
        if (created.isAfter(now.plusSeconds(SKEW_SECONDS))) throw new Refusal("wsu:Timestamp created in the future (" + created + ")");
        if (!now.isBefore(expires.plusSeconds(SKEW_SECONDS))) throw new Refusal("wsu:Timestamp expired at " + expires);
        return ts;
    }

    static Instant instant(Element e, String what) {
        if (e == null) throw new Refusal("missing " + what);
        try {
            return Instant.parse(Xml.text(e));
        } catch (DateTimeParseException x) {
            throw new Refusal(what + " is not an xs:dateTime in UTC");
        }
    }

    /** The assertion a {@code wsse:SecurityTokenReference} names by {@code KeyIdentifier} (ValueType SAMLID). */
    static Element referencedAssertion(Element str) {
        Element ki = Xml.child(str, Xml.WSSE, "KeyIdentifier");
        if (ki == null || !Xml.SAML_ID.equals(ki.getAttribute("ValueType"))) {
            throw new Refusal("SecurityTokenReference without a KeyIdentifier of ValueType SAMLID");
        }
        Element found = null;
        for (Element a : Xml.descendants(str.getOwnerDocument().getDocumentElement(), Xml.SAML, "Assertion")) {
            if (a.getAttribute("ID").equals(Xml.text(ki))) {
                if (found != null) throw new Refusal("two assertions with ID " + Xml.text(ki));
                found = a;
            }
        }
        if (found == null) throw new Refusal("SecurityTokenReference names assertion " + Xml.text(ki) + ", which is not in the message");
        return found;
    }

    /**
     * Verifies {@code signature} with {@code key} (named {@code whose} in refusals) under the token policy's
     * algorithms (exclusive c14n, RSA-SHA256, SHA-256 digests; transforms exclusive c14n or STR-Transform) and
     * returns the elements its references cover: the element with the referenced id, or for an STR-Transform
     * reference the assertion the STR names. {@code ids} must come from {@link #ids} on the same document.
     */
    static Set<Element> verify(Element signature, PublicKey key, Map<String, Element> ids, String whose) {
        Set<Element> covered = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        try {
            XMLSignature sig = new XMLSignature(signature, "", true);
            SignedInfo si = sig.getSignedInfo();
            if (!Canonicalizer.ALGO_ID_C14N_EXCL_OMIT_COMMENTS.equals(si.getCanonicalizationMethodURI())) {
                throw new Refusal("SignedInfo is not canonicalised with exclusive c14n");
            }
            if (!XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA256.equals(si.getSignatureMethodURI())) {
                throw new Refusal("signature method is not RSA-SHA256");
            }
            for (int i = 0; i < si.getLength(); i++) {
                Reference r = si.item(i);
                if (!MessageDigestAlgorithm.ALGO_ID_DIGEST_SHA256.equals(r.getMessageDigestAlgorithm().getAlgorithmURI())) {
                    throw new Refusal("reference " + r.getURI() + " is not digested with SHA-256");
                }
                String uri = r.getURI();
                Element target = uri != null && uri.startsWith("#") ? ids.get(uri.substring(1)) : null;
                if (target == null) throw new Refusal("reference " + uri + " does not name an element of the message");
                boolean str = false;
                Transforms ts = r.getTransforms();
                for (int t = 0; ts != null && t < ts.getLength(); t++) {
                    String alg = ts.item(t).getURI();
                    if (Xml.STR_TRANSFORM.equals(alg)) str = true;
                    else if (!Canonicalizer.ALGO_ID_C14N_EXCL_OMIT_COMMENTS.equals(alg)) {
                        throw new Refusal("reference " + uri + " uses transform " + alg);
                    }
                }
                covered.add(str ? referencedAssertion(target) : target);
            }
            if (!si.verify(false)) {
                for (int i = 0; i < si.getLength(); i++) {
                    if (!si.getVerificationResult(i)) {
                        String uri = si.item(i).getURI();
                        throw new Refusal("signed content was changed: the digest of " + uri + " ("
                                          + name(ids.get(uri.substring(1))) + ") does not match");
                    }
                }
            }
            if (!sig.checkSignatureValue(key)) throw new Refusal("the signature does not verify with " + whose);
            return covered;
        } catch (Refusal r) {
            throw r;
        } catch (Exception e) {
            throw new Refusal("unreadable signature: " + e.getMessage());
        }
    }

    static String name(Element e) {
        return e == null ? "?" : (e.getPrefix() == null ? "" : e.getPrefix() + ":") + e.getLocalName();
    }

    /** Refuses unless {@code covered} holds {@code e}. */
    static void mustCover(Set<Element> covered, Element e, String what) {
        if (e != null && !covered.contains(e)) throw new Refusal(what + " is not signed");
    }
}
