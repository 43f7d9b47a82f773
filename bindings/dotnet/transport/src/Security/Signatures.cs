using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Xml;

namespace Eindkomst.Transport.Security
{
    /// <summary>
    /// XML signatures as KOMBIT's policies want them, made and checked by the framework's
    /// <see cref="SignedXml"/>: exclusive c14n, RSA-SHA256, SHA-256 digests, references by <c>wsu:Id</c>.
    /// No c14n or crypto of our own: the one addition is the STR-Transform (<see cref="StrTransform"/>), which
    /// only dereferences a SecurityTokenReference to the SAML assertion and hands that to the framework's
    /// exclusive c14n.
    /// </summary>
    internal static class Signatures
    {
        internal const string ExcC14n = SignedXml.XmlDsigExcC14NTransformUrl;
        internal const string RsaSha256 = SignedXml.XmlDsigRSASHA256Url;
        internal const string Sha256 = SignedXml.XmlDsigSHA256Url;
        internal const string StrTransformUrl = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#STR-Transform";
        internal const string SamlId = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID";
        internal const string Saml2Token = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0";
        internal const string X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
        internal const string Base64Binary = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

        /// <summary>Lifetime of the timestamps written here.</summary>
        internal static readonly TimeSpan TimestampLifetime = TimeSpan.FromMinutes(5);
        /// <summary>Allowed clock difference to a peer's timestamp.</summary>
        internal static readonly TimeSpan Skew = TimeSpan.FromSeconds(60);

        /// <summary>xs:dateTime in UTC with milliseconds, as the peers write it.</summary>
        internal static string Instant(DateTime utc)
        {
            return utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        }

        /// <summary>Gives <paramref name="e"/> a fresh <c>wsu:Id</c> (or keeps its own) and returns it.</summary>
        internal static string Id(XmlElement e)
        {
            if (!e.HasAttribute("Id", Ns.Wsu))
            {
                XmlAttribute a = e.OwnerDocument.CreateAttribute("wsu", "Id", Ns.Wsu);
                a.Value = "id-" + Guid.NewGuid().ToString("D");
                e.Attributes.Append(a);
            }
            return e.GetAttribute("Id", Ns.Wsu);
        }

        internal static XmlElement Add(XmlNode parent, string prefix, string local, string ns, string text = null)
        {
            XmlDocument doc = parent as XmlDocument ?? parent.OwnerDocument;
            XmlElement e = doc.CreateElement(prefix, local, ns);
            if (text != null) e.InnerText = text;
            parent.AppendChild(e);
            return e;
        }

        /// <summary>A <c>wsu:Timestamp</c> valid from <paramref name="now"/> for five minutes, appended to <paramref name="security"/>.</summary>
        internal static XmlElement Timestamp(XmlElement security, DateTime now)
        {
            XmlElement ts = Add(security, "wsu", "Timestamp", Ns.Wsu);
            Add(ts, "wsu", "Created", Ns.Wsu, Instant(now));
            Add(ts, "wsu", "Expires", Ns.Wsu, Instant(now + TimestampLifetime));
            Id(ts);
            return ts;
        }

        /// <summary><c>wsse:BinarySecurityToken</c> (X509v3) with <paramref name="cert"/>.</summary>
        internal static XmlElement BinaryToken(XmlDocument doc, X509Certificate2 cert)
        {
            XmlElement bst = doc.CreateElement("wsse", "BinarySecurityToken", Ns.Wsse);
            bst.SetAttribute("EncodingType", Base64Binary);
            bst.SetAttribute("ValueType", X509V3);
            bst.InnerText = Convert.ToBase64String(cert.RawData);
            return bst;
        }

        /// <summary>
        /// Signs the elements of <paramref name="doc"/> with the wsu:Ids <paramref name="partIds"/> and, through the
        /// STR-Transform, the tokens the SecurityTokenReferences with the wsu:Ids <paramref name="strIds"/> name; the
        /// signature is appended to <paramref name="security"/> with <paramref name="keyInfo"/> as its KeyInfo content.
        /// </summary>
        internal static void Sign(XmlDocument doc, XmlElement security, IEnumerable<string> partIds, IEnumerable<string> strIds,
            RSA key, XmlElement keyInfo)
        {
            var sx = new WsSignedXml(doc) { SigningKey = key };
            sx.SignedInfo.CanonicalizationMethod = ExcC14n;
            sx.SignedInfo.SignatureMethod = RsaSha256;
            foreach (string id in partIds)
            {
                var r = new Reference("#" + id) { DigestMethod = Sha256 };
                r.AddTransform(new XmlDsigExcC14NTransform());
                sx.AddReference(r);
            }
            foreach (string id in strIds)
            {
                var r = new Reference("#" + id) { DigestMethod = Sha256 };
                r.AddTransform(new StrTransform(doc));
                sx.AddReference(r);
            }
            sx.KeyInfo = new KeyInfo();
            sx.KeyInfo.AddClause(new KeyInfoNode(keyInfo));
            sx.ComputeSignature();
            security.AppendChild(doc.ImportNode(sx.GetXml(), true));
        }

        /// <summary>
        /// Checks a service answer: its <c>wsse:Security</c> holds a live Timestamp and a signature that verifies with
        /// <paramref name="service"/> (the configured certificate; the answer's BinarySecurityToken must be that one)
        /// and covers this envelope's Body, the Timestamp and any <c>wsa:RelatesTo</c>. An answer without any signature
        /// passes only when <paramref name="fault"/> (Assumption: a platform fault may come unsigned).
        /// Throws <see cref="CryptographicException"/> with the reason.
        /// </summary>
        internal static void VerifyAnswer(byte[] answer, X509Certificate2 service, DateTime now, bool fault)
        {
            XmlDocument doc;
            try
            {
                doc = SafeXml.Parse(answer);
            }
            catch (XmlException)
            {
                throw new CryptographicException("answer is not well-formed XML");
            }
            XmlElement env = doc.DocumentElement;
            XmlElement header = SafeXml.Child(env, Ns.Soap, "Header");
            XmlElement body = SafeXml.Child(env, Ns.Soap, "Body");
            XmlElement security = SafeXml.Child(header, Ns.Wsse, "Security");
            XmlElement sigEl = SafeXml.Child(security, Ns.Ds, "Signature");
            if (sigEl == null)
            {
                if (fault) return;
                throw new CryptographicException("answer is not signed");
            }
            Dictionary<string, XmlElement> ids = WsSignedXml.Ids(doc);
            XmlElement ts = SafeXml.Child(security, Ns.Wsu, "Timestamp");
            if (ts == null) throw new CryptographicException("answer without wsu:Timestamp");
            DateTime expires;
            if (!DateTime.TryParse(SafeXml.Text(SafeXml.Child(ts, Ns.Wsu, "Expires")), CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out expires))
                throw new CryptographicException("answer's wsu:Timestamp is unreadable");
            if (now.ToUniversalTime() >= expires + Skew) throw new CryptographicException("answer's wsu:Timestamp has expired");
            XmlElement reference = SafeXml.Child(SafeXml.Child(SafeXml.Child(sigEl, Ns.Ds, "KeyInfo"), Ns.Wsse, "SecurityTokenReference"), Ns.Wsse, "Reference");
            XmlElement bst;
            if (reference == null || !ids.TryGetValue(reference.GetAttribute("URI").TrimStart('#'), out bst)
                || !SafeXml.Is(bst, Ns.Wsse, "BinarySecurityToken") || !SameBytes(FromBase64(SafeXml.Text(bst)), service.RawData))
                throw new CryptographicException("answer signed by another certificate than the service's");
            var sx = new WsSignedXml(doc);
            try
            {
                sx.LoadXml(sigEl);
            }
            catch (CryptographicException)
            {
                throw new CryptographicException("answer signature is unreadable");
            }
            if (sx.SignedInfo.SignatureMethod != RsaSha256 || sx.SignedInfo.CanonicalizationMethod != ExcC14n)
                throw new CryptographicException("answer signature does not use RSA-SHA256 with exclusive c14n");
            var covered = new HashSet<XmlElement>();
            foreach (Reference r in sx.SignedInfo.References)
            {
                XmlElement target;
                if (r.Uri != null && r.Uri.StartsWith("#", StringComparison.Ordinal) && ids.TryGetValue(r.Uri.Substring(1), out target))
                    covered.Add(target);
            }
            if (!covered.Contains(body) || !covered.Contains(ts))
                throw new CryptographicException("answer signature does not cover soap:Body and wsu:Timestamp");
            foreach (XmlElement relatesTo in SafeXml.Children(header, Ns.Wsa, "RelatesTo"))
                if (!covered.Contains(relatesTo)) throw new CryptographicException("answer's wsa:RelatesTo is not signed");
            using (RSA key = service.GetRSAPublicKey())
            {
                if (sx.CheckSignature(key)) return;
                // SignedXml says only "no"; tell a changed answer (digests) from another signer (signature value).
                if (SignedInfoVerifies(sigEl, key))
                    throw new CryptographicException("answer was changed after it was signed (a digest does not match)");
                throw new CryptographicException("answer signature does not verify with the service certificate");
            }
        }

        /// <summary>Whether the SignatureValue is <paramref name="key"/>'s RSA-SHA256 signature of the SignedInfo (exclusive c14n).</summary>
        private static bool SignedInfoVerifies(XmlElement sigEl, RSA key)
        {
            XmlElement signedInfo = SafeXml.Child(sigEl, Ns.Ds, "SignedInfo");
            XmlElement value = SafeXml.Child(sigEl, Ns.Ds, "SignatureValue");
            if (signedInfo == null || value == null) return false;
            byte[] c14n = Canonical(signedInfo);
            return key.VerifyData(c14n, FromBase64(SafeXml.Text(value)), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        /// <summary>Exclusive c14n of the subtree of <paramref name="e"/> in its document (the framework's transform).</summary>
        internal static byte[] Canonical(XmlElement e)
        {
            var t = new XmlDsigExcC14NTransform();
            t.LoadInput(Standalone(e));
            using (var s = (Stream)t.GetOutput(typeof(Stream)))
            using (var m = new MemoryStream())
            {
                s.CopyTo(m);
                return m.ToArray();
            }
        }

        /// <summary>
        /// A copy of <paramref name="e"/> as the root of a new document, with the namespace declarations it inherits
        /// from its ancestors; exclusive c14n of the copy equals exclusive c14n of the subtree in place.
        /// </summary>
        internal static XmlDocument Standalone(XmlElement e)
        {
            const string XmlnsNs = "http://www.w3.org/2000/xmlns/";
            var doc = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
            var copy = (XmlElement)doc.ImportNode(e, true);
            doc.AppendChild(copy);
            for (XmlNode p = e.ParentNode; p is XmlElement; p = p.ParentNode)
            {
                foreach (XmlAttribute a in p.Attributes)
                {
                    if (a.NamespaceURI != XmlnsNs || copy.GetAttributeNode(a.LocalName, XmlnsNs) != null) continue;
                    XmlAttribute decl = doc.CreateAttribute(a.Prefix, a.LocalName, XmlnsNs);
                    decl.Value = a.Value;
                    copy.Attributes.Append(decl);
                }
            }
            return doc;
        }

        internal static byte[] FromBase64(string s)
        {
            try
            {
                return Convert.FromBase64String(s ?? "");
            }
            catch (FormatException)
            {
                return new byte[0];
            }
        }

        private static bool SameBytes(byte[] a, byte[] b)
        {
            if (a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++)
                if (a[i] != b[i]) return false;
            return true;
        }
    }

    /// <summary>SignedXml that resolves references by <c>wsu:Id</c> (and a SAML assertion's <c>ID</c>); an id used twice is refused.</summary>
    internal sealed class WsSignedXml : SignedXml
    {
        internal WsSignedXml(XmlDocument doc) : base(doc)
        {
        }

        /// <summary>Every wsu:Id and SAML ID of <paramref name="doc"/>; a value used twice (the shape of a wrapping attack) throws.</summary>
        internal static Dictionary<string, XmlElement> Ids(XmlDocument doc)
        {
            var ids = new Dictionary<string, XmlElement>(StringComparer.Ordinal);
            foreach (XmlElement e in doc.GetElementsByTagName("*"))
            {
                string id = e.HasAttribute("Id", Ns.Wsu) ? e.GetAttribute("Id", Ns.Wsu)
                    : SafeXml.Is(e, Ns.Saml, "Assertion") && e.HasAttribute("ID") ? e.GetAttribute("ID") : null;
                if (id == null) continue;
                if (ids.ContainsKey(id)) throw new CryptographicException("the message uses an id twice");
                ids[id] = e;
            }
            return ids;
        }

        public override XmlElement GetIdElement(XmlDocument document, string idValue)
        {
            XmlElement e;
            return Ids(document).TryGetValue(idValue, out e) ? e : null;
        }
    }

    /// <summary>
    /// The WS-Security STR-Transform (SOAP Message Security 1.1, 8.3) for the case the token policy needs: a
    /// <c>wsse:SecurityTokenReference</c> whose KeyIdentifier (ValueType SAMLID) names a SAML 2.0 assertion of the same
    /// message. Its output is the assertion in exclusive c14n (the TransformationParameters it writes say so).
    /// Used for signing only; the framework has no STR-Transform of its own.
    /// </summary>
    internal sealed class StrTransform : Transform
    {
        private readonly XmlDocument message;
        private XmlElement str;

        internal StrTransform(XmlDocument message)
        {
            this.message = message;
            Algorithm = Signatures.StrTransformUrl;
        }

        public override Type[] InputTypes => new[] { typeof(XmlDocument), typeof(XmlNodeList) };

        public override Type[] OutputTypes => new[] { typeof(Stream) };

        public override void LoadInnerXml(XmlNodeList nodeList)
        {
        }

        protected override XmlNodeList GetInnerXml()
        {
            var doc = new XmlDocument();
            XmlElement holder = doc.CreateElement("holder");
            XmlElement p = Signatures.Add(holder, "wsse", "TransformationParameters", Ns.Wsse);
            Signatures.Add(p, "ds", "CanonicalizationMethod", Ns.Ds).SetAttribute("Algorithm", Signatures.ExcC14n);
            return holder.ChildNodes;
        }

        public override void LoadInput(object obj)
        {
            var d = obj as XmlDocument;
            if (d != null) str = d.DocumentElement;
            var list = obj as XmlNodeList;
            if (list != null)
                foreach (XmlNode n in list)
                    if (n is XmlElement) { str = (XmlElement)n; break; }
        }

        public override object GetOutput()
        {
            if (!SafeXml.Is(str, Ns.Wsse, "SecurityTokenReference"))
                throw new CryptographicException("STR-Transform input is not a wsse:SecurityTokenReference");
            XmlElement ki = SafeXml.Child(str, Ns.Wsse, "KeyIdentifier");
            if (ki == null || ki.GetAttribute("ValueType") != Signatures.SamlId)
                throw new CryptographicException("STR-Transform input does not reference a SAML 2.0 token");
            XmlElement found = null;
            foreach (XmlElement a in message.GetElementsByTagName("Assertion", Ns.Saml))
            {
                if (a.GetAttribute("ID") != SafeXml.Text(ki)) continue;
                if (found != null) throw new CryptographicException("the token the STR names is in the message twice");
                found = a;
            }
            if (found == null) throw new CryptographicException("the token the STR names is not in the message");
            return new MemoryStream(Signatures.Canonical(found));
        }

        public override object GetOutput(Type type)
        {
            if (type != typeof(Stream) && !type.IsSubclassOf(typeof(Stream))) throw new ArgumentException("STR-Transform gives a Stream", nameof(type));
            return GetOutput();
        }
    }
}
