package dk.eindkomst.transport.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.xml.security.c14n.CanonicalizationException;
import org.apache.xml.security.c14n.Canonicalizer;
import org.apache.xml.security.c14n.InvalidCanonicalizerException;
import org.apache.xml.security.signature.XMLSignatureByteInput;
import org.apache.xml.security.signature.XMLSignatureInput;
import org.apache.xml.security.transforms.TransformSpi;
import org.apache.xml.security.transforms.TransformationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The WS-Security STR-Transform (SOAP Message Security 1.1, 8.3) as the token policy uses it to sign the
 * SAML token: the input is a {@code wsse:SecurityTokenReference} whose KeyIdentifier (ValueType SAMLID) names
 * an assertion of the same document; the output is that assertion in exclusive c14n, done by Santuario.
 * Santuario has no STR-Transform (WSS4J's needs OpenSAML, which is not on Maven Central); this class only
 * dereferences. Registered by {@link Signatures}.
 */
public final class StrTransform extends TransformSpi {
    @Override
    protected String engineGetURI() {
        return Dom.STR_TRANSFORM;
    }

    @Override
    protected XMLSignatureInput enginePerformTransform(XMLSignatureInput input, OutputStream os, Element transform, String baseURI,
                                                       boolean secureValidation)
            throws IOException, CanonicalizationException, InvalidCanonicalizerException, TransformationException {
        Node str = input.getSubNode();
        Element ki = str instanceof Element e ? Dom.child(e, Dom.WSSE, "KeyIdentifier") : null;
        if (ki == null || !Dom.SAML_ID.equals(ki.getAttribute("ValueType"))) {
            throw new TransformationException("empty", new Object[] {"STR-Transform input is not a SecurityTokenReference to a SAML 2.0 token"});
        }
        Element assertion = null;
        for (Element a : Dom.descendants(str.getOwnerDocument().getDocumentElement(), Dom.SAML, "Assertion")) {
            if (a.getAttribute("ID").equals(Dom.text(ki))) assertion = a;
        }
        if (assertion == null) throw new TransformationException("empty", new Object[] {"the token the STR names is not in the message"});
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Canonicalizer.getInstance(Canonicalizer.ALGO_ID_C14N_EXCL_OMIT_COMMENTS).canonicalizeSubtree(assertion, bytes);
        XMLSignatureInput out;
        if (os != null) {
            os.write(bytes.toByteArray());
            out = new XMLSignatureByteInput((byte[]) null);
            out.setOutputStream(os);
        } else {
            out = new XMLSignatureByteInput(bytes.toByteArray());
        }
        out.setSecureValidation(secureValidation);
        return out;
    }
}
