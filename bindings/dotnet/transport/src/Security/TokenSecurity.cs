using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using System.Xml;

namespace Eindkomst.Transport.Security
{
    /// <summary>WS-Security of a SOAP endpoint: secures each request, checks each answer.</summary>
    public interface ISoapSecurity
    {
        /// <summary>The request envelope (SOAP 1.1, UTF-8) with its <c>wsse:Security</c> header.</summary>
        Task<byte[]> SecureAsync(byte[] envelope);

        /// <summary>Throws <see cref="CryptographicException"/> when <paramref name="answer"/> must not be used;
        /// <paramref name="fault"/>: the answer is a soap:Fault.</summary>
        void VerifyAnswer(byte[] answer, bool fault);
    }

    /// <summary>
    /// WS-Security for Serviceplatformen's token policy, on every request: a <c>wsse:Security</c> header with a
    /// <c>wsu:Timestamp</c> (5 minutes), the SAML token for the service's entity id, a SecurityTokenReference to it,
    /// and one signature with the token's holder-of-key over the Timestamp, Body, every WS-Addressing header,
    /// <c>sbf:Framework</c> and the token itself (STR-Transform): exclusive c14n, RSA-SHA256, SHA-256. Answers must be
    /// signed by the service's certificate.
    /// <para>Assumption: the token is signed through an STR-Transform reference, as the public clients that call
    /// Serviceplatformen with tokens do (Apache CXF, itk-dev's PHP client); KOMBIT's policy only says "signed
    /// supporting token".</para>
    /// </summary>
    public sealed class TokenSecurity : ISoapSecurity
    {
        private readonly ITokenSource tokens;
        private readonly string entityId;
        private readonly X509Certificate2 serviceCertificate;

        /// <summary>Security for one service.</summary>
        /// <param name="tokens">The STS client (or another source).</param>
        /// <param name="entityId">The service's entity id: the token's AppliesTo and audience.</param>
        /// <param name="serviceCertificate">The certificate Serviceplatformen signs its answers with (per environment).</param>
        public TokenSecurity(ITokenSource tokens, string entityId, X509Certificate2 serviceCertificate)
        {
            this.tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));
            this.entityId = entityId ?? throw new ArgumentNullException(nameof(entityId));
            this.serviceCertificate = serviceCertificate ?? throw new ArgumentNullException(nameof(serviceCertificate));
        }

        /// <summary>The clock of the timestamps written and checked (default <see cref="DateTime.UtcNow"/>).</summary>
        public Func<DateTime> Clock { get; set; } = () => DateTime.UtcNow;

        /// <inheritdoc/>
        public async Task<byte[]> SecureAsync(byte[] envelope)
        {
            SamlToken token = await tokens.TokenAsync(entityId).ConfigureAwait(false);
            XmlDocument doc = SafeXml.Parse(envelope);
            XmlElement env = doc.DocumentElement;
            XmlElement header = SafeXml.Child(env, Ns.Soap, "Header");
            XmlElement body = SafeXml.Child(env, Ns.Soap, "Body");
            if (header == null || body == null) throw new ArgumentException("not a SOAP 1.1 envelope with Header and Body");
            var parts = new List<string> { Signatures.Id(body) };
            foreach (XmlElement h in SafeXml.Children(header, null, null))
                if (h.NamespaceURI == Ns.Wsa || SafeXml.Is(h, Ns.Sbf, "Framework")) parts.Add(Signatures.Id(h));
            XmlElement security = Signatures.Add(header, "wsse", "Security", Ns.Wsse);
            XmlAttribute mu = doc.CreateAttribute(env.Prefix, "mustUnderstand", Ns.Soap);
            mu.Value = "1";
            security.Attributes.Append(mu);
            parts.Insert(0, Signatures.Id(Signatures.Timestamp(security, Clock())));
            security.AppendChild(doc.ImportNode(SafeXml.Parse(token.Xml).DocumentElement, true));
            XmlElement str = (XmlElement)security.AppendChild(TokenReference(doc, token));
            using (RSA key = tokens.Certificate.GetRSAPrivateKey())
                Signatures.Sign(doc, security, parts, new[] { Signatures.Id(str) }, key, TokenReference(doc, token));
            return new UTF8Encoding(false).GetBytes(doc.OuterXml);
        }

        /// <inheritdoc/>
        public void VerifyAnswer(byte[] answer, bool fault)
        {
            Signatures.VerifyAnswer(answer, serviceCertificate, Clock(), fault);
        }

        /// <summary><c>&lt;wsse:SecurityTokenReference wsse11:TokenType=SAMLV2.0&gt;&lt;wsse:KeyIdentifier ValueType=SAMLID&gt;ID</c>.</summary>
        private static XmlElement TokenReference(XmlDocument doc, SamlToken token)
        {
            XmlElement str = doc.CreateElement("wsse", "SecurityTokenReference", Ns.Wsse);
            XmlAttribute type = doc.CreateAttribute("wsse11", "TokenType", Ns.Wsse11);
            type.Value = Signatures.Saml2Token;
            str.Attributes.Append(type);
            Signatures.Add(str, "wsse", "KeyIdentifier", Ns.Wsse, token.Id).SetAttribute("ValueType", Signatures.SamlId);
            return str;
        }
    }
}
