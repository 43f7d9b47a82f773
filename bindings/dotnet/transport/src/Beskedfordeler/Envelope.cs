using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Xml;
using System.Xml.Schema;

namespace Eindkomst.Transport.Beskedfordeler
{
    /// <summary>An envelope the receiver cannot take: its dead-letter code and reason (no CPR numbers in it).</summary>
    internal sealed class EnvelopeException : Exception
    {
        internal EnvelopeException(string code, string reason) : base(reason)
        {
            Code = code;
        }

        internal string Code { get; }
    }

    /// <summary>One <c>Beskeddata/Base64</c> payload.</summary>
    internal sealed class Payload
    {
        internal string Encoding;
        internal string Base64Text;
    }

    /// <summary>
    /// A <c>Haendelsesbesked</c> read as KOMBIT's SF1461 interface requires: well-formed XML without DTD, valid against
    /// <c>Beskedkuvert.xsd</c> (REST: <c>AnvendersystemOperationer.xsd</c>; both embedded in the assembly), a non-empty
    /// <c>BeskedId</c>; the <c>Base64</c> payloads matched by local name in any namespace (real messages use
    /// <c>urn:besked:kuvert:1.0</c> or none; Beskeddata is <c>xs:any</c> with processContents skip).
    /// </summary>
    internal sealed class Envelope
    {
        internal const string KuvertNs = "urn:oio:besked:kuvert:1.0";
        internal const string StsNs = "urn:oio:sts:1.0.0";
        internal const string SagdokNs = "urn:oio:sagdok:3.0.0";

        private static readonly Lazy<XmlSchemaSet> Schemas = new Lazy<XmlSchemaSet>(LoadSchemas);

        internal string BeskedId;
        internal int AntalLeveranceforsoeg;
        internal List<Payload> Payloads = new List<Payload>();

        /// <summary>Reads <paramref name="body"/>; <paramref name="rest"/>: a ModtagBeskedInput holding the envelope.</summary>
        /// <exception cref="EnvelopeException">bad_envelope, invalid_envelope, no_besked_id.</exception>
        internal static Envelope Read(byte[] body, bool rest)
        {
            string rootNs = rest ? StsNs : KuvertNs;
            string rootName = rest ? "ModtagBeskedInput" : "Haendelsesbesked";
            XmlDocument doc = Parse(body, rootNs, rootName);
            XmlElement besked = rest ? SafeXml.Child(doc.DocumentElement, KuvertNs, "Haendelsesbesked") : doc.DocumentElement;
            var e = new Envelope();
            XmlElement id = SafeXml.FirstElement(SafeXml.Child(besked, KuvertNs, "BeskedId"));
            e.BeskedId = SafeXml.Text(id);
            if (string.IsNullOrEmpty(e.BeskedId)) throw new EnvelopeException("no_besked_id", "Haendelsesbesked has no BeskedId (or an empty one)");
            foreach (XmlElement n in besked.GetElementsByTagName("AntalLeveranceforsoeg", KuvertNs))
            {
                int a;
                if (int.TryParse(SafeXml.Text(n), out a)) e.AntalLeveranceforsoeg = Math.Max(e.AntalLeveranceforsoeg, a);
            }
            foreach (XmlElement data in SafeXml.Children(besked, KuvertNs, "Beskeddata"))
            {
                foreach (XmlElement b in SafeXml.Children(data, null, null))
                {
                    if (b.LocalName != "Base64") continue;
                    e.Payloads.Add(new Payload { Encoding = b.HasAttribute("encoding") ? b.GetAttribute("encoding") : null, Base64Text = b.InnerText });
                }
            }
            return e;
        }

        /// <summary>Parses and validates in one pass; only our own words in the reasons (a parser's may quote the body).</summary>
        private static XmlDocument Parse(byte[] body, string rootNs, string rootName)
        {
            XmlSchemaSet schemas = Schemas.Value;
            XmlReaderSettings settings = SafeXml.Settings();
            settings.ValidationType = ValidationType.Schema;
            settings.Schemas = schemas;
            string invalid = null;
            settings.ValidationEventHandler += (s, a) =>
            {
                if (invalid == null && a.Severity == XmlSeverityType.Error)
                    invalid = "envelope is not valid against KOMBIT's schema (line " + a.Exception.LineNumber + ", column "
                        + a.Exception.LinePosition + "): " + Redact.Cpr(a.Message);
            };
            var doc = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
            try
            {
                using (XmlReader r = XmlReader.Create(new MemoryStream(body, false), settings))
                {
                    // The root first: a well-formed document of another kind is not validated against the wrong schema.
                    if (r.MoveToContent() != XmlNodeType.Element || r.LocalName != rootName || r.NamespaceURI != rootNs)
                        throw new EnvelopeException("bad_envelope", "the root element is not {" + rootNs + "}" + rootName);
                    doc.Load(r);
                }
            }
            catch (XmlException x)
            {
                throw new EnvelopeException("bad_envelope", "envelope is not well-formed XML (line " + x.LineNumber + ", column " + x.LinePosition + ")");
            }
            if (invalid != null) throw new EnvelopeException("invalid_envelope", invalid);
            return doc;
        }

        /// <summary>KOMBIT's SF1461 2.0 schemas, embedded by build.sh under <c>xsd/beskedfordeler/</c>.</summary>
        private static XmlSchemaSet LoadSchemas()
        {
            var set = new XmlSchemaSet { XmlResolver = new EmbeddedXsd() };
            var baseUri = new Uri(EmbeddedXsd.Root, "AnvendersystemOperationer.xsd");
            var stream = (Stream)new EmbeddedXsd().GetEntity(baseUri, null, typeof(Stream));
            using (var r = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null }, baseUri.ToString()))
                set.Add(null, r);
            set.Compile();
            return set;
        }

        /// <summary>Resolves schema locations to the embedded copies (no file or network access).</summary>
        private sealed class EmbeddedXsd : XmlResolver
        {
            internal static readonly Uri Root = new Uri("eindkomst-xsd://schemas/beskedfordeler/");

            public override object GetEntity(Uri absoluteUri, string role, Type ofObjectToReturn)
            {
                if (absoluteUri.Scheme != Root.Scheme) throw new XmlException("schema outside the embedded set: " + absoluteUri);
                string name = "xsd" + absoluteUri.AbsolutePath;
                Stream s = Assembly.GetExecutingAssembly().GetManifestResourceStream(name);
                if (s == null) throw new XmlException("schema not embedded: " + name);
                return s;
            }

            public override Uri ResolveUri(Uri baseUri, string relativeUri)
            {
                return baseUri == null ? new Uri(Root, relativeUri) : new Uri(baseUri, relativeUri);
            }

            public override System.Net.ICredentials Credentials
            {
                set { }
            }
        }
    }
}
