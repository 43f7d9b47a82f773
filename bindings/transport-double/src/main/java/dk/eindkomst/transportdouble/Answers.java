package dk.eindkomst.transportdouble;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.xml.security.c14n.Canonicalizer;
import org.apache.xml.security.signature.XMLSignature;
import org.apache.xml.security.transforms.Transforms;
import org.apache.xml.security.algorithms.MessageDigestAlgorithm;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The services' answers: recorded-style templates, signed as Serviceplatformen signs its answers (its signing
 * certificate as BinarySecurityToken; exclusive c14n, RSA-SHA256 over Body, Timestamp and wsa:RelatesTo).
 * Fault injection for the clients' checks: a changed body after signing, a wrong key, no signature.
 */
final class Answers {
    private final Keys keys;

    Answers(Keys keys) {
        Wss.init();
        this.keys = keys;
    }

    static String template(String name, Map<String, String> values) {
        String t;
        try (InputStream in = Answers.class.getResourceAsStream(name)) {
            t = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (var e : values.entrySet()) t = t.replace("${" + e.getKey() + "}", e.getValue());
        return t;
    }

    static String fault(String code, String string, String errorCode, String errorText) {
        return template("fault.xml", Map.of("FaultString", Xml.esc(string), "ErrorCode", Xml.esc(errorCode), "ErrorText", Xml.esc(errorText)))
                .replace("<faultcode>soap:Server</faultcode>", "<faultcode>" + code + "</faultcode>");
    }

    static String reaktion(String art, String id, String tekst, String kilde) {
        String k = Xml.KONTEKST;
        return "<ns3:SvarReaktion xmlns:ns3=\"" + k + "\"><ns3:" + art + "><ns3:" + art + "Id>" + id + "</ns3:" + art + "Id><ns3:" + art
               + "Tekst>" + Xml.esc(tekst) + "</ns3:" + art + "Tekst><ns3:KildeId>" + kilde + "</ns3:KildeId></ns3:" + art + "></ns3:SvarReaktion>\n";
    }

    /** The answer as sent: signed (mode "signed"), changed after signing ("tampered"), signed by another key ("wrong-key") or as is ("unsigned"). */
    byte[] sign(String answer, String relatesTo, String mode) throws Exception {
        if (mode.equals("unsigned")) return answer.getBytes(StandardCharsets.UTF_8);
        Document doc = Xml.parse(answer.getBytes(StandardCharsets.UTF_8));
        Element env = doc.getDocumentElement();
        Element body = Xml.child(env, Xml.SOAP11, "Body");
        Element header = Xml.child(env, Xml.SOAP11, "Header");
        if (header == null) {
            header = doc.createElementNS(Xml.SOAP11, env.getPrefix() + ":Header");
            env.insertBefore(header, body);
        }
        Element relates = Xml.add(header, Xml.WSA, "wsa:RelatesTo", relatesTo);
        Element security = Xml.add(header, Xml.WSSE, "wsse:Security", null);
        security.setAttributeNS(Xml.SOAP11, env.getPrefix() + ":mustUnderstand", "1");
        Element ts = Xml.add(security, Xml.WSU, "wsu:Timestamp", null);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Xml.add(ts, Xml.WSU, "wsu:Created", now.toString());
        Xml.add(ts, Xml.WSU, "wsu:Expires", now.plusSeconds(300).toString());
        Element bst = Xml.add(security, Xml.WSSE, "wsse:BinarySecurityToken", Base64.getEncoder().encodeToString(keys.sp.cert().getEncoded()));
        bst.setAttribute("ValueType", Xml.X509V3);
        bst.setAttribute("EncodingType", Xml.BASE64);
        String bstId = id(bst);
        List<String> signed = List.of(id(body), id(ts), id(relates));
        // Read back: Santuario canonicalises namespace declarations that are attributes, which DOM-made elements lack.
        doc = Xml.parse(Xml.bytes(doc));
        body = Xml.child(doc.getDocumentElement(), Xml.SOAP11, "Body");
        security = Xml.descendants(doc.getDocumentElement(), Xml.WSSE, "Security").get(0);
        Wss.ids(doc);
        XMLSignature sig = new XMLSignature(doc, "", XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA256, Canonicalizer.ALGO_ID_C14N_EXCL_OMIT_COMMENTS);
        security.appendChild(sig.getElement());
        for (String id : signed) {
            Transforms t = new Transforms(doc);
            t.addTransform(Transforms.TRANSFORM_C14N_EXCL_OMIT_COMMENTS);
            sig.addDocument("#" + id, t, MessageDigestAlgorithm.ALGO_ID_DIGEST_SHA256);
        }
        Element str = doc.createElementNS(Xml.WSSE, "wsse:SecurityTokenReference");
        Element ref = Xml.add(str, Xml.WSSE, "wsse:Reference", null);
        ref.setAttribute("URI", "#" + bstId);
        ref.setAttribute("ValueType", Xml.X509V3);
        sig.getKeyInfo().addUnknownElement(str);
        sig.sign(mode.equals("wrong-key") ? keys.stranger.key() : keys.sp.key());
        if (mode.equals("tampered")) {
            Element tid = Xml.descendants(body, Xml.KONTEKST, "TransaktionsTid").get(0);
            tid.setTextContent("2025-02-03T06:15:09Z");
        }
        return Xml.bytes(doc);
    }

    private static String id(Element e) {
        String id = "id-" + UUID.randomUUID();
        e.setAttributeNS(Xml.WSU, "wsu:Id", id);
        return id;
    }

}
