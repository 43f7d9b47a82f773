package dk.eindkomst.transport.soap;

import dk.eindkomst.transport.Redact;
import dk.eindkomst.transport.Xml;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.xml.stream.XMLStreamException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * One request/response exchange in the KOMBIT 2017 wrapper: envelope with WS-Addressing and Liberty
 * Framework headers, a request root whose first child is {@code kontekst:HovedOplysninger}, and an answer
 * whose first child is {@code kontekst:HovedOplysningerSvar} (or a SOAP fault).
 */
final class SoapCall {
    /** Writes the request's second child (the Inddata). */
    interface InddataWriter {
        void write(XmlOut out) throws XMLStreamException;
    }

    /** A parsed, fault-free answer whose reactions contain no Fejl. */
    record Answer(Element root, String transaktionsId, List<Reaktion> advis) {}

    private final SoapEndpoint endpoint;
    private final CallContext context;
    private final Clock clock;
    private final HttpClient http;

    SoapCall(SoapEndpoint endpoint, CallContext context, Clock clock) {
        this.endpoint = endpoint;
        this.context = context;
        this.clock = clock;
        // HTTP/1.1 only: the JDK client would otherwise offer an h2c upgrade on plain HTTP (and h2 by ALPN).
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(endpoint.timeout());
        if (endpoint.sslContext() != null) b.sslContext(endpoint.sslContext());
        this.http = b.build();
    }

    Answer call(String requestRoot, String responseRoot, InddataWriter inddata) throws SoapException {
        String transaktionsId = UUID.randomUUID().toString();
        String messageId = "urn:uuid:" + UUID.randomUUID();
        byte[] envelope;
        try {
            envelope = envelope(requestRoot, transaktionsId, messageId, inddata);
        } catch (Exception e) {
            throw new SoapTransportException("could not build the request envelope", e);
        }
        try {
            envelope = endpoint.security().secure(envelope);
        } catch (Exception e) {
            throw new SoapSecurityException("could not secure the request: " + Redact.cpr(e.getMessage()), e);
        }
        HttpResponse<byte[]> response;
        try {
            HttpRequest request = HttpRequest.newBuilder(endpoint.address())
                    .timeout(endpoint.timeout())
                    .header("Content-Type", "text/xml; charset=utf-8")
                    .header("SOAPAction", "\"" + endpoint.soapAction() + "\"")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(envelope))
                    .build();
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new SoapTransportException("request to " + endpoint.address() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SoapTransportException("interrupted while waiting for " + endpoint.address(), e);
        }
        return answer(response.statusCode(), response.body(), responseRoot, transaktionsId, messageId);
    }

    private byte[] envelope(String requestRoot, String transaktionsId, String messageId, InddataWriter inddata) throws XMLStreamException {
        XmlOut x = new XmlOut();
        x.start(Ns.SOAP, "Envelope").start(Ns.SOAP, "Header");
        x.leaf(Ns.WSA, "Action", endpoint.soapAction());
        x.leaf(Ns.WSA, "MessageID", messageId);
        x.leaf(Ns.WSA, "To", endpoint.address().toString());
        x.start(Ns.SBF, "Framework").attr(null, "version", "2.0").attr(Ns.SBF_PROFILE, "profile", "urn:liberty:sb:profile:basic").end();
        x.end().start(Ns.SOAP, "Body");
        x.start(Ns.KOMBIT, requestRoot).start(Ns.KONTEKST, "HovedOplysninger");
        x.leaf(Ns.KONTEKST, "TransaktionsId", transaktionsId);
        x.leaf(Ns.KONTEKST, "TransaktionsTid",
               OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        if (context.onBehalfOfUser() != null) x.leaf(Ns.KONTEKST, "OnBehalfOfUser", context.onBehalfOfUser());
        if (context.callersServiceCallIdentifier() != null) {
            x.leaf(Ns.KONTEKST, "CallersServiceCallIdentifier", context.callersServiceCallIdentifier());
        }
        if (context.accountingInfo() != null) x.leaf(Ns.KONTEKST, "AccountingInfo", context.accountingInfo());
        if (context.municipalityCvr() != null) {
            x.chain(Ns.KONTEKST, new String[] {"AuthorityContext"}, Ns.KONTEKST, "MunicipalityCVR", context.municipalityCvr());
        }
        x.end();
        inddata.write(x);
        x.end().end().end();
        return x.finish();
    }

    // Package-private for AnswerFuzzTest.
    Answer answer(int status, byte[] body, String responseRoot, String sentId, String messageId) throws SoapException {
        Element payload;
        Element envelope;
        try {
            envelope = Xml.parse(body).getDocumentElement();
            if (!is(envelope, Ns.SOAP, "Envelope")) throw new IllegalArgumentException("root is not soap:Envelope");
            Element soapBody = child(envelope, Ns.SOAP, "Body");
            if (soapBody == null) throw new IllegalArgumentException("no soap:Body");
            payload = firstElement(soapBody);
            if (payload == null) throw new IllegalArgumentException("empty soap:Body");
        } catch (Exception e) {
            // Only our own reasons: a parser message may quote the body.
            String why = e instanceof IllegalArgumentException ? e.getMessage() : "not well-formed XML";
            throw new SoapTransportException("HTTP " + status + " with no usable SOAP envelope (" + why + ")", null);
        }
        boolean isFault = is(payload, Ns.SOAP, "Fault");
        if (!isFault && status != 200) throw new SoapTransportException("HTTP " + status + " without a SOAP fault", null);
        try {
            endpoint.security().verifyAnswer(body, isFault);
        } catch (Exception e) {
            throw new SoapSecurityException("answer refused: " + Redact.cpr(e.getMessage()), e);
        }
        Element relatesTo = child(child(envelope, Ns.SOAP, "Header"), Ns.WSA, "RelatesTo");
        if (relatesTo != null && !messageId.equals(text(relatesTo))) {
            throw new SoapTransportException("answer's wsa:RelatesTo does not match the request's wsa:MessageID", null);
        }
        if (isFault) throw fault(status, payload);
        if (!is(payload, Ns.KOMBIT, responseRoot)) {
            throw new SoapTransportException("unexpected answer element {" + payload.getNamespaceURI() + "}" + payload.getLocalName(), null);
        }
        Element svar = child(payload, Ns.KONTEKST, "HovedOplysningerSvar");
        if (svar == null) throw new SoapTransportException("answer without kontekst:HovedOplysningerSvar", null);
        String transaktionsId = text(child(svar, Ns.KONTEKST, "TransaktionsId"));
        if (!sentId.equals(transaktionsId)) throw new SoapTransportException("answer's TransaktionsId does not match the request", null);
        List<Reaktion> reaktioner = new ArrayList<>();
        for (Element r : children(svar, Ns.KONTEKST, "SvarReaktion")) {
            Element fejl = child(r, Ns.KONTEKST, "Fejl");
            Element advis = child(r, Ns.KONTEKST, "Advis");
            if (fejl != null) {
                reaktioner.add(new Reaktion(Reaktion.Art.FEJL, text(child(fejl, Ns.KONTEKST, "FejlId")),
                        text(child(fejl, Ns.KONTEKST, "FejlTekst")), text(child(fejl, Ns.KONTEKST, "KildeId"))));
            } else if (advis != null) {
                reaktioner.add(new Reaktion(Reaktion.Art.ADVIS, text(child(advis, Ns.KONTEKST, "AdvisId")),
                        text(child(advis, Ns.KONTEKST, "AdvisTekst")), text(child(advis, Ns.KONTEKST, "KildeId"))));
            } else {
                throw new SoapTransportException("SvarReaktion with neither Fejl nor Advis", null);
            }
        }
        if (reaktioner.stream().anyMatch(r -> r.art() == Reaktion.Art.FEJL)) throw new FejlSvarException(transaktionsId, reaktioner);
        return new Answer(payload, transaktionsId, reaktioner);
    }

    private static ServiceplatformFaultException fault(int status, Element fault) {
        // SOAP 1.1: faultcode/faultstring/detail are unqualified.
        String code = text(child(fault, null, "faultcode"));
        String string = text(child(fault, null, "faultstring"));
        List<ServiceplatformFaultException.PlatformError> errors = new ArrayList<>();
        Element detail = child(fault, null, "detail");
        Element spf = detail == null ? null : child(detail, Ns.SPF, "ServiceplatformFault");
        Element list = spf == null ? null : child(spf, Ns.SPF, "ErrorList");
        if (list != null) {
            for (Element e : children(list, Ns.SPF, "Error")) {
                errors.add(new ServiceplatformFaultException.PlatformError(
                        text(child(e, Ns.SPF, "ErrorCode")), text(child(e, Ns.SPF, "ErrorText"))));
            }
        }
        return new ServiceplatformFaultException(status, code, string, errors);
    }

    static boolean is(Element e, String ns, String local) {
        return local.equals(e.getLocalName()) && (ns == null ? e.getNamespaceURI() == null : ns.equals(e.getNamespaceURI()));
    }

    static Element firstElement(Element parent) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) return e;
        }
        return null;
    }

    static Element child(Element parent, String ns, String local) {
        if (parent == null) return null;
        List<Element> all = children(parent, ns, local);
        return all.isEmpty() ? null : all.get(0);
    }

    static List<Element> children(Element parent, String ns, String local) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && is(e, ns, local)) out.add(e);
        }
        return out;
    }

    static String text(Element e) {
        return e == null ? null : e.getTextContent().trim();
    }
}
