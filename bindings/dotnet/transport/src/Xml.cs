using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;
using System.Xml;

namespace Eindkomst.Transport
{
    /// <summary>XML namespaces of the SF0770_E services and their security (docs/transports.md, spec section 1).</summary>
    public static class Ns
    {
        /// <summary>SOAP 1.1 envelope (the services).</summary>
        public const string Soap = "http://schemas.xmlsoap.org/soap/envelope/";
        /// <summary>SOAP 1.2 envelope (the STS).</summary>
        public const string Soap12 = "http://www.w3.org/2003/05/soap-envelope";
        /// <summary>WS-Addressing 1.0.</summary>
        public const string Wsa = "http://www.w3.org/2005/08/addressing";
        /// <summary>Liberty ID-WSF framework header.</summary>
        public const string Sbf = "urn:liberty:sb:2006-08";
        /// <summary>Namespace of the Framework's profile attribute.</summary>
        public const string SbfProfile = "urn:liberty:sb:profile";
        /// <summary>KOMBIT's 2017 request and answer roots.</summary>
        public const string Kombit = "http://www.kombit.dk/2017/01/01/";
        /// <summary>KOMBIT's call context (HovedOplysninger).</summary>
        public const string Kontekst = "http://kombit.dk/xml/schemas/kontekst/2017/01/01/";
        /// <summary>SKAT's eIndkomst structures ("fase2").</summary>
        public const string Fase2 = "http://rep.oio.dk/skat.dk/eindkomst/";
        private const string EikClass = "http://rep.oio.dk/skat.dk/eindkomst/class/";
        /// <summary>AbonnentTypeKode.</summary>
        public const string AbonnentType = EikClass + "abonnenttype/xml/schemas/20071202/";
        /// <summary>AbonnementTypeKode.</summary>
        public const string AbonnementType = EikClass + "abonnementtype/xml/schemas/20071202/";
        /// <summary>AdgangFormaalTypeKode.</summary>
        public const string AdgangFormaalType = EikClass + "adgangformaaltype/xml/schemas/20071202/";
        /// <summary>AbonnentAdgangOmfangTypeTekst.</summary>
        public const string OmfangType = EikClass + "abonnentadgangomfangtype/xml/schemas/20071202/";
        /// <summary>IndkomstOplysningAdgangMedarbejderIdentifikator.</summary>
        public const string Medarbejder = EikClass + "indkomstoplysningadgangmedarbejderidentifikator/xml/schemas/20071202/";
        /// <summary>SoegeAarMaanedFraKode.</summary>
        public const string SoegeFra = EikClass + "soegeaarmaanedfrakode/xml/schemas/20071202/";
        /// <summary>SoegeAarMaanedTilKode.</summary>
        public const string SoegeTil = EikClass + "soegeaarmaanedtilkode/xml/schemas/20071202/";
        /// <summary>AbonnentBestillingIdentifikator.</summary>
        public const string Bestilling = EikClass + "abonnentbestillingidentifikator/xml/schemas/20071202/";
        /// <summary>VirksomhedSENummerIdentifikator.</summary>
        public const string Virksomhed = "http://rep.oio.dk/skat.dk/motor/class/virksomhed/xml/schemas/20080401/";
        /// <summary>PersonCivilRegistrationIdentifier.</summary>
        public const string Cpr = "http://rep.oio.dk/cpr.dk/xml/schemas/core/2005/03/18/";
        /// <summary>StartDate.</summary>
        public const string XkomStart = "http://rep.oio.dk/xkom.dk/xml/schemas/2006/09/01/";
        /// <summary>EndDate.</summary>
        public const string XkomEnd = "http://rep.oio.dk/xkom.dk/xml/schemas/2007/04/15/";
        /// <summary>Serviceplatformen's fault detail.</summary>
        public const string Spf = "http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/";

        /// <summary>WS-Security 1.0 extension.</summary>
        public const string Wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
        /// <summary>WS-Security 1.1 extension.</summary>
        public const string Wsse11 = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd";
        /// <summary>WS-Security utility (wsu:Id, Timestamp).</summary>
        public const string Wsu = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
        /// <summary>XML signature.</summary>
        public const string Ds = "http://www.w3.org/2000/09/xmldsig#";
        /// <summary>SAML 2.0 assertion.</summary>
        public const string Saml = "urn:oasis:names:tc:SAML:2.0:assertion";
        /// <summary>WS-Trust 1.3.</summary>
        public const string Wst = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
        /// <summary>WS-Policy 2004/09 (AppliesTo).</summary>
        public const string Wsp = "http://schemas.xmlsoap.org/ws/2004/09/policy";

        /// <summary>Prefix of each namespace in the service envelopes written here.</summary>
        internal static readonly string[][] Prefixes =
        {
            new[] { "soap", Soap }, new[] { "wsa", Wsa }, new[] { "sbf", Sbf }, new[] { "sbfprofile", SbfProfile },
            new[] { "kombit2017", Kombit }, new[] { "kontekst", Kontekst }, new[] { "fase2", Fase2 },
            new[] { "abonnenttype", AbonnentType }, new[] { "abonnementtype", AbonnementType },
            new[] { "adgangformaaltype", AdgangFormaalType }, new[] { "abonnentadgangomfangtype", OmfangType },
            new[] { "medarbejder", Medarbejder }, new[] { "soegefra", SoegeFra }, new[] { "soegetil", SoegeTil },
            new[] { "virksomhed", Virksomhed }, new[] { "cpr", Cpr }, new[] { "xkom2006", XkomStart }, new[] { "xkom2007", XkomEnd },
        };
    }

    /// <summary>Parsing without DTDs or entities, and the DOM helpers every part uses.</summary>
    internal static class SafeXml
    {
        /// <summary>Reader settings: no DTD (a DOCTYPE is an error), no external resources.</summary>
        internal static XmlReaderSettings Settings()
        {
            return new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersFromEntities = 0 };
        }

        /// <summary>A document with whitespace preserved (signatures cover it). Throws XmlException.</summary>
        internal static XmlDocument Parse(byte[] xml)
        {
            return Parse(new MemoryStream(xml, false));
        }

        internal static XmlDocument Parse(string xml)
        {
            return Parse(new StringReader(xml));
        }

        internal static XmlDocument Parse(Stream s)
        {
            var doc = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
            using (XmlReader r = XmlReader.Create(s, Settings())) doc.Load(r);
            return doc;
        }

        internal static XmlDocument Parse(TextReader t)
        {
            var doc = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
            using (XmlReader r = XmlReader.Create(t, Settings())) doc.Load(r);
            return doc;
        }

        internal static bool Is(XmlNode n, string ns, string local)
        {
            return n is XmlElement && n.LocalName == local && n.NamespaceURI == (ns ?? "");
        }

        internal static XmlElement Child(XmlNode parent, string ns, string local)
        {
            if (parent == null) return null;
            for (XmlNode n = parent.FirstChild; n != null; n = n.NextSibling)
                if (Is(n, ns, local)) return (XmlElement)n;
            return null;
        }

        internal static List<XmlElement> Children(XmlNode parent, string ns, string local)
        {
            var list = new List<XmlElement>();
            if (parent == null) return list;
            for (XmlNode n = parent.FirstChild; n != null; n = n.NextSibling)
                if (n is XmlElement && (local == null || Is(n, ns, local))) list.Add((XmlElement)n);
            return list;
        }

        internal static XmlElement FirstElement(XmlNode parent)
        {
            for (XmlNode n = parent?.FirstChild; n != null; n = n.NextSibling)
                if (n is XmlElement) return (XmlElement)n;
            return null;
        }

        internal static string Text(XmlNode e)
        {
            return e?.InnerText.Trim();
        }

        /// <summary>Every element below <paramref name="root"/> (and itself) with that name.</summary>
        internal static List<XmlElement> Descendants(XmlElement root, string ns, string local)
        {
            var list = new List<XmlElement>();
            if (Is(root, ns, local)) list.Add(root);
            foreach (XmlNode n in root.GetElementsByTagName(local, ns)) list.Add((XmlElement)n);
            return list;
        }
    }

    /// <summary>Keeps CPR numbers out of messages: a text from a peer may echo one.</summary>
    public static class Redact
    {
        private static readonly Regex CprLike = new Regex("(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])", RegexOptions.CultureInvariant);

        /// <summary><paramref name="text"/> with every CPR-like digit run (DDMMYY-SSSS or 10 digits) replaced by asterisks.</summary>
        public static string Cpr(string text)
        {
            return text == null ? null : CprLike.Replace(text, "**********");
        }

        /// <summary>
        /// A peer's id (AMQP message id, BeskedId, FileTransferUUID, file name) as it may stand in a ledger key or a file
        /// name: the id itself, or <c>sha256:</c> + its Base64url SHA-256 when it holds a CPR-like run (a BeskedId
        /// <c>urn:uuid:0101604321</c> passes the schema). Base64url, not hex: 64 hex digits often hold ten decimal digits in a
        /// row; the mask is for the rare Base64 text that still does (the same id still gives the same key). The rule of
        /// the Java and Node transports. Assumption: a ledger written before this rule knew such an id unhashed; its
        /// message or file would be handled once more.
        /// </summary>
        public static string Id(string id)
        {
            if (id == null || Cpr(id) == id) return id;
            using (var sha = System.Security.Cryptography.SHA256.Create())
            {
                string b64 = Convert.ToBase64String(sha.ComputeHash(new System.Text.UTF8Encoding(false).GetBytes(id)));
                return "sha256:" + Cpr(b64.TrimEnd('=').Replace('+', '-').Replace('/', '_'));
            }
        }
    }
}
