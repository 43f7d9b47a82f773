package dk.eindkomst.transportdouble;

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
 * The WS-Security STR-Transform (SOAP Message Security 1.1, section 8.3) for the one case the token policy
 * needs: a {@code wsse:SecurityTokenReference} whose {@code KeyIdentifier} (ValueType SAMLID) names a SAML 2.0
 * assertion of the same message. The reference digests the assertion, canonicalised by Santuario with the
 * algorithm in {@code TransformationParameters} (exclusive c14n only). Santuario has no STR-Transform of its
 * own (it lives in WSS4J, whose SAML stack is not on Maven Central), so this class only dereferences.
 */
public final class StrTransform extends TransformSpi {
    @Override
    protected String engineGetURI() {
        return Xml.STR_TRANSFORM;
    }

    @Override
    protected XMLSignatureInput enginePerformTransform(XMLSignatureInput input, OutputStream os, Element transform,
                                                       String baseURI, boolean secureValidation)
            throws IOException, CanonicalizationException, InvalidCanonicalizerException, TransformationException {
        Node sub = input.getSubNode();
        if (!Xml.is(sub, Xml.WSSE, "SecurityTokenReference")) {
            throw new TransformationException("empty", new Object[] {"STR-Transform input is not a wsse:SecurityTokenReference"});
        }
        Element params = Xml.child(transform, Xml.WSSE, "TransformationParameters");
        Element c14n = params == null ? null : Xml.child(params, Xml.DS, "CanonicalizationMethod");
        if (c14n == null || !Canonicalizer.ALGO_ID_C14N_EXCL_OMIT_COMMENTS.equals(c14n.getAttribute("Algorithm"))) {
            throw new TransformationException("empty", new Object[] {"STR-Transform needs TransformationParameters with exclusive c14n"});
        }
        Element assertion = Wss.referencedAssertion((Element) sub);
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
