package dk.eindkomst.transportdouble;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;
import javax.xml.XMLConstants;
import org.apache.xml.security.c14n.Canonicalizer;
import org.apache.xml.security.signature.XMLSignature;
import org.apache.xml.security.transforms.Transforms;
import org.apache.xml.security.algorithms.MessageDigestAlgorithm;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * SAML 2.0 holder-of-key assertions as KOMBIT's STS issues them (shape of the token in KOMBIT's public demo
 * client): signed by the STS certificate, audience and recipient = the entity id asked for, the caller's
 * certificate as the holder-of-key, the CVR as attribute.
 */
final class Tokens {
    static final String CVR_ATTRIBUTE = "dk:gov:saml:attribute:CvrNumberIdentifier";
    private static final String HOK = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key";
    private static final String BASIC = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic";

    private final Keys keys;
    private final String issuer;

    Tokens(Keys keys, String issuer) {
        Wss.init();
        this.keys = keys;
        this.issuer = issuer;
    }

    /** A new signed assertion in its own document. */
    Element issue(X509Certificate holder, String audience, String cvr, Instant now, Duration lifetime) throws Exception {
        Document doc = Xml.newDocument();
        String id = "_" + UUID.randomUUID();
        Instant from = now.truncatedTo(ChronoUnit.MILLIS);
        String notBefore = from.toString();
        String notOnOrAfter = from.plus(lifetime).toString();
        Element a = doc.createElementNS(Xml.SAML, "saml:Assertion");
        doc.appendChild(a);
        a.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:saml", Xml.SAML);
        a.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:xsi", Xml.XSI);
        a.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:ds", Xml.DS);
        a.setAttribute("ID", id);
        a.setIdAttribute("ID", true);
        a.setAttribute("IssueInstant", notBefore);
        a.setAttribute("Version", "2.0");
        Xml.add(a, Xml.SAML, "saml:Issuer", issuer).setAttribute("Format", "urn:oasis:names:tc:SAML:2.0:nameid-format:entity");
        Element subject = Xml.add(a, Xml.SAML, "saml:Subject", null);
        Xml.add(subject, Xml.SAML, "saml:NameID", holder.getSubjectX500Principal().getName())
           .setAttribute("Format", "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName");
        Element sc = Xml.add(subject, Xml.SAML, "saml:SubjectConfirmation", null);
        sc.setAttribute("Method", HOK);
        Element scd = Xml.add(sc, Xml.SAML, "saml:SubjectConfirmationData", null);
        scd.setAttributeNS(Xml.XSI, "xsi:type", "saml:KeyInfoConfirmationDataType");
        scd.setAttribute("NotBefore", notBefore);
        scd.setAttribute("NotOnOrAfter", notOnOrAfter);
        scd.setAttribute("Recipient", audience);
        Xml.add(Xml.add(Xml.add(scd, Xml.DS, "ds:KeyInfo", null), Xml.DS, "ds:X509Data", null), Xml.DS, "ds:X509Certificate",
                               Base64.getEncoder().encodeToString(holder.getEncoded()));
        Element conditions = Xml.add(a, Xml.SAML, "saml:Conditions", null);
        conditions.setAttribute("NotBefore", notBefore);
        conditions.setAttribute("NotOnOrAfter", notOnOrAfter);
        Xml.add(Xml.add(conditions, Xml.SAML, "saml:AudienceRestriction", null), Xml.SAML, "saml:Audience", audience);
        Element attrs = Xml.add(a, Xml.SAML, "saml:AttributeStatement", null);
        for (String[] kv : new String[][] {{CVR_ATTRIBUTE, cvr}, {"dk:gov:saml:attribute:AssuranceLevel", "3"},
                                           {"dk:gov:saml:attribute:SpecVer", "DK-SAML-2.0"}, {"dk:gov:saml:attribute:KombitSpecVer", "1.0"}}) {
            Element at = Xml.add(attrs, Xml.SAML, "saml:Attribute", null);
            at.setAttribute("Name", kv[0]);
            at.setAttribute("NameFormat", BASIC);
            Xml.add(at, Xml.SAML, "saml:AttributeValue", kv[1]);
        }
        Element authn = Xml.add(a, Xml.SAML, "saml:AuthnStatement", null);
        authn.setAttribute("AuthnInstant", notBefore);
        Xml.add(Xml.add(authn, Xml.SAML, "saml:AuthnContext", null), Xml.SAML, "saml:AuthnContextClassRef",
                "urn:oasis:names:tc:SAML:2.0:ac:classes:X509");

        XMLSignature sig = new XMLSignature(doc, "", XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA256, Canonicalizer.ALGO_ID_C14N_EXCL_OMIT_COMMENTS);
        a.insertBefore(sig.getElement(), subject); // SAML: Signature right after Issuer
        Transforms t = new Transforms(doc);
        t.addTransform(Transforms.TRANSFORM_ENVELOPED_SIGNATURE);
        t.addTransform(Transforms.TRANSFORM_C14N_EXCL_OMIT_COMMENTS);
        sig.addDocument("#" + id, t, MessageDigestAlgorithm.ALGO_ID_DIGEST_SHA256);
        sig.addKeyInfo(keys.sts.cert());
        sig.sign(keys.sts.key());
        return a;
    }

    /** What a verified token says. */
    record Token(String id, X509Certificate holder, String cvr, Instant notOnOrAfter) {}

    /**
     * Verifies an assertion found in a request: signed by the STS (and nothing else in it changed), issued by
     * it, not expired, for {@code audience}, holder-of-key with a certificate.
     */
    Token verify(Element a, String audience, Instant now) {
        if (!"2.0".equals(a.getAttribute("Version"))) throw new Refusal("token is not a SAML 2.0 assertion");
        Element sigEl = Xml.need(a, Xml.DS, "Signature", "signature of the token (SAML assertion)");
        try {
            XMLSignature sig = new XMLSignature(sigEl, "", true);
            if (sig.getSignedInfo().getLength() != 1 || !("#" + a.getAttribute("ID")).equals(sig.getSignedInfo().item(0).getURI())) {
                throw new Refusal("the token's signature does not cover the token");
            }
            if (!sig.checkSignatureValue(keys.sts.cert().getPublicKey())) throw new Refusal("token not signed by the STS (signature does not verify with the STS certificate)");
        } catch (Refusal r) {
            throw r;
        } catch (Exception e) {
            throw new Refusal("unreadable token signature: " + e.getMessage());
        }
        if (!issuer.equals(Xml.text(Xml.child(a, Xml.SAML, "Issuer")))) throw new Refusal("token issued by someone else than the STS");
        Element conditions = Xml.need(a, Xml.SAML, "Conditions", "saml:Conditions in the token");
        Instant notBefore = Instant.parse(conditions.getAttribute("NotBefore"));
        Instant notOnOrAfter = Instant.parse(conditions.getAttribute("NotOnOrAfter"));
        if (notBefore.isAfter(now.plusSeconds(Wss.SKEW_SECONDS))) throw new Refusal("token not valid before " + notBefore);
        if (!now.isBefore(notOnOrAfter)) throw new Refusal("token expired at " + notOnOrAfter);
        String aud = Xml.text(Xml.child(Xml.child(conditions, Xml.SAML, "AudienceRestriction"), Xml.SAML, "Audience"));
        if (!audience.equals(aud)) throw new Refusal("token audience " + aud + " is not this service (" + audience + ")");
        Element sc = Xml.child(Xml.need(a, Xml.SAML, "Subject", "saml:Subject"), Xml.SAML, "SubjectConfirmation");
        if (sc == null || !HOK.equals(sc.getAttribute("Method"))) throw new Refusal("token is not holder-of-key");
        Element cert = Xml.descendants(sc, Xml.DS, "X509Certificate").stream().findFirst()
                .orElseThrow(() -> new Refusal("holder-of-key token without a certificate"));
        X509Certificate holder;
        try {
            holder = Keys.cert(Base64.getMimeDecoder().decode(Xml.text(cert)));
        } catch (Exception e) {
            throw new Refusal("holder-of-key certificate is unreadable");
        }
        String cvr = null;
        for (Element at : Xml.descendants(a, Xml.SAML, "Attribute")) {
            if (CVR_ATTRIBUTE.equals(at.getAttribute("Name"))) cvr = Xml.text(Xml.child(at, Xml.SAML, "AttributeValue"));
        }
        return new Token(a.getAttribute("ID"), holder, cvr, notOnOrAfter);
    }
}
