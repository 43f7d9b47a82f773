using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using System.Xml;

namespace Eindkomst.Transport.Soap
{
    /// <summary>
    /// One exchange in the KOMBIT 2017 wrapper: envelope with WS-Addressing and Liberty Framework headers, a request
    /// root whose first child is <c>kontekst:HovedOplysninger</c>, and an answer whose first child is
    /// <c>kontekst:HovedOplysningerSvar</c> (or a SOAP fault). Every request is secured and every answer checked by the
    /// endpoint's <see cref="Security.ISoapSecurity"/>.
    /// </summary>
    internal static class SoapCall
    {
        /// <summary>A parsed, signed, fault-free answer whose reactions hold no Fejl.</summary>
        internal sealed class Answer
        {
            internal XmlElement Root;
            internal string TransaktionsId;
            internal List<Reaktion> Advis;
        }

        internal static async Task<Answer> CallAsync(SoapEndpoint endpoint, CallContext context, string requestRoot, string responseRoot,
            string inddataXml)
        {
            string transaktionsId = Guid.NewGuid().ToString("D");
            string messageId = "urn:uuid:" + Guid.NewGuid().ToString("D");
            byte[] envelope = Envelope(endpoint, context ?? new CallContext(), requestRoot, transaktionsId, messageId, inddataXml);
            try
            {
                envelope = await endpoint.Security.SecureAsync(envelope).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                throw new SoapSecurityException("could not secure the request: " + Redact.Cpr(e.Message), e);
            }
            int status;
            byte[] body;
            try
            {
                var content = new ByteArrayContent(envelope);
                content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/xml; charset=utf-8");
                var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Address) { Content = content, Version = new Version(1, 1) };
                request.Headers.TryAddWithoutValidation("SOAPAction", "\"" + endpoint.SoapAction + "\"");
                using (HttpResponseMessage res = await endpoint.Http.SendAsync(request).ConfigureAwait(false))
                {
                    status = (int)res.StatusCode;
                    body = await res.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is HttpRequestException || e is TaskCanceledException || e is System.IO.IOException)
            {
                throw new SoapTransportException("request to " + endpoint.Address + " failed: " + Security.StsClient.Reason(e), e);
            }
            return Read(endpoint, status, body, responseRoot, transaktionsId, messageId);
        }

        internal static string El(string prefix, string name, string inner)
        {
            return "<" + prefix + ":" + name + ">" + inner + "</" + prefix + ":" + name + ">";
        }

        internal static string Leaf(string prefix, string name, string text)
        {
            return El(prefix, name, SecurityElement.Escape(text));
        }

        /// <summary><c>fase2:AbonnentAdgangStruktur</c> with the agreement's three codes.</summary>
        internal static string Adgang(AbonnentAdgang a)
        {
            return El("fase2", "AbonnentAdgangStruktur", Leaf("abonnenttype", "AbonnentTypeKode", a.AbonnentTypeKode)
                + Leaf("abonnementtype", "AbonnementTypeKode", a.AbonnementTypeKode)
                + Leaf("adgangformaaltype", "AdgangFormaalTypeKode", a.AdgangFormaalTypeKode));
        }

        /// <summary>The SE-nr wrapped in the fase2 structures <paramref name="wrappers"/> (outermost first).</summary>
        internal static string Se(string se, params string[] wrappers)
        {
            string inner = Leaf("virksomhed", "VirksomhedSENummerIdentifikator", se);
            for (int i = wrappers.Length - 1; i >= 0; i--) inner = El("fase2", wrappers[i], inner);
            return inner;
        }

        private static byte[] Envelope(SoapEndpoint endpoint, CallContext c, string requestRoot, string transaktionsId, string messageId,
            string inddataXml)
        {
            var xmlns = new StringBuilder();
            foreach (string[] p in Ns.Prefixes) xmlns.Append(" xmlns:").Append(p[0]).Append("=\"").Append(p[1]).Append('"');
            string hoved = Leaf("kontekst", "TransaktionsId", transaktionsId)
                + Leaf("kontekst", "TransaktionsTid", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            if (c.OnBehalfOfUser != null) hoved += Leaf("kontekst", "OnBehalfOfUser", c.OnBehalfOfUser);
            if (c.CallersServiceCallIdentifier != null) hoved += Leaf("kontekst", "CallersServiceCallIdentifier", c.CallersServiceCallIdentifier);
            if (c.AccountingInfo != null) hoved += Leaf("kontekst", "AccountingInfo", c.AccountingInfo);
            if (c.MunicipalityCvr != null) hoved += El("kontekst", "AuthorityContext", Leaf("kontekst", "MunicipalityCVR", c.MunicipalityCvr));
            string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope" + xmlns + "><soap:Header>"
                + Leaf("wsa", "Action", endpoint.SoapAction) + Leaf("wsa", "MessageID", messageId) + Leaf("wsa", "To", endpoint.Address.ToString())
                + "<sbf:Framework version=\"2.0\" sbfprofile:profile=\"urn:liberty:sb:profile:basic\"/></soap:Header><soap:Body>"
                + El("kombit2017", requestRoot, El("kontekst", "HovedOplysninger", hoved) + inddataXml) + "</soap:Body></soap:Envelope>";
            return new UTF8Encoding(false).GetBytes(xml);
        }

        internal static Answer Read(SoapEndpoint endpoint, int status, byte[] body, string responseRoot, string sentId, string messageId)
        {
            XmlElement env, payload;
            try
            {
                env = SafeXml.Parse(body).DocumentElement;
                if (!SafeXml.Is(env, Ns.Soap, "Envelope")) throw new FormatException("root is not soap:Envelope");
                payload = SafeXml.FirstElement(SafeXml.Child(env, Ns.Soap, "Body"));
                if (payload == null) throw new FormatException("no or empty soap:Body");
            }
            catch (Exception e) when (e is XmlException || e is FormatException)
            {
                // Only our own reasons: a parser message may quote the body.
                throw new SoapTransportException("HTTP " + status + " with no usable SOAP envelope ("
                    + (e is FormatException ? e.Message : "not well-formed XML") + ")");
            }
            bool isFault = SafeXml.Is(payload, Ns.Soap, "Fault");
            if (!isFault && status != 200) throw new SoapTransportException("HTTP " + status + " without a SOAP fault");
            try
            {
                endpoint.Security.VerifyAnswer(body, isFault);
            }
            catch (Exception e)
            {
                throw new SoapSecurityException("answer refused: " + Redact.Cpr(e.Message), e);
            }
            XmlElement relatesTo = SafeXml.Child(SafeXml.Child(env, Ns.Soap, "Header"), Ns.Wsa, "RelatesTo");
            if (relatesTo != null && SafeXml.Text(relatesTo) != messageId)
                throw new SoapTransportException("answer's wsa:RelatesTo does not match the request's wsa:MessageID");
            if (isFault) throw Fault(status, payload);
            if (!SafeXml.Is(payload, Ns.Kombit, responseRoot))
                throw new SoapTransportException("unexpected answer element {" + payload.NamespaceURI + "}" + payload.LocalName);
            XmlElement svar = SafeXml.Child(payload, Ns.Kontekst, "HovedOplysningerSvar");
            if (svar == null) throw new SoapTransportException("answer without kontekst:HovedOplysningerSvar");
            string transaktionsId = SafeXml.Text(SafeXml.Child(svar, Ns.Kontekst, "TransaktionsId"));
            if (transaktionsId != sentId) throw new SoapTransportException("answer's TransaktionsId does not match the request");
            var reaktioner = new List<Reaktion>();
            var fejl = new List<Reaktion>();
            foreach (XmlElement r in SafeXml.Children(svar, Ns.Kontekst, "SvarReaktion"))
            {
                XmlElement f = SafeXml.Child(r, Ns.Kontekst, "Fejl");
                XmlElement a = SafeXml.Child(r, Ns.Kontekst, "Advis");
                if (f == null && a == null) throw new SoapTransportException("SvarReaktion with neither Fejl nor Advis");
                string p = f != null ? "Fejl" : "Advis";
                XmlElement n = f ?? a;
                var reaktion = new Reaktion(f != null ? ReaktionArt.Fejl : ReaktionArt.Advis, SafeXml.Text(SafeXml.Child(n, Ns.Kontekst, p + "Id")),
                    SafeXml.Text(SafeXml.Child(n, Ns.Kontekst, p + "Tekst")), SafeXml.Text(SafeXml.Child(n, Ns.Kontekst, "KildeId")));
                reaktioner.Add(reaktion);
                if (f != null) fejl.Add(reaktion);
            }
            if (fejl.Count > 0) throw new FejlSvarException(transaktionsId, reaktioner, fejl);
            return new Answer { Root = payload, TransaktionsId = transaktionsId, Advis = reaktioner };
        }

        private static ServiceplatformFaultException Fault(int status, XmlElement fault)
        {
            // SOAP 1.1: faultcode, faultstring and detail are unqualified.
            var errors = new List<PlatformError>();
            XmlElement list = SafeXml.Child(SafeXml.Child(SafeXml.Child(fault, null, "detail"), Ns.Spf, "ServiceplatformFault"), Ns.Spf, "ErrorList");
            foreach (XmlElement e in SafeXml.Children(list, Ns.Spf, "Error"))
                errors.Add(new PlatformError(SafeXml.Text(SafeXml.Child(e, Ns.Spf, "ErrorCode")), SafeXml.Text(SafeXml.Child(e, Ns.Spf, "ErrorText"))));
            return new ServiceplatformFaultException(status, SafeXml.Text(SafeXml.Child(fault, null, "faultcode")),
                SafeXml.Text(SafeXml.Child(fault, null, "faultstring")), errors);
        }
    }

    /// <summary>
    /// The checks every CPR and SE-nr passes before a request is sent: the engine's rules (through
    /// <see cref="EngineDecoder"/>), then for a CPR SKAT's <c>PersonCivilRegistrationIdentifierType</c>.
    /// </summary>
    internal static class Identifiers
    {
        // SKAT's PersonCivilRegistrationIdentifierType (cpr.dk core 2005/03/18), the pattern verbatim: a DDMM date
        // (29 February in any year) and 6 digits, or 0000000000. It refuses the day + 60 numbers, as the service would.
        private static readonly Regex SkatCpr = new Regex(
            "^(?:((((0[1-9]|1[0-9]|2[0-9]|3[0-1])(01|03|05|07|08|10|12))|((0[1-9]|1[0-9]|2[0-9]|30)(04|06|09|11))|((0[1-9]|1[0-9]|2[0-9])(02)))[0-9]{6})|0000000000)$",
            RegexOptions.CultureInvariant);

        internal static void Check(IList<string> seNrs, IList<string> cprs)
        {
            for (int i = 0; i < seNrs.Count; i++)
            {
                string p = EngineDecoder.SeNrProblem(seNrs[i]);
                if (p != null) throw new InvalidIdentifierException("SE-nr", i, p, "the engine");
            }
            for (int i = 0; i < cprs.Count; i++)
            {
                string p = EngineDecoder.CprProblem(cprs[i]);
                if (p != null) throw new InvalidIdentifierException("CPR", i, p, "the engine");
                if (!SkatCpr.IsMatch(cprs[i]))
                    throw new InvalidIdentifierException("CPR", i, "not_a_date", "SKAT's PersonCivilRegistrationIdentifierType");
            }
        }
    }
}
