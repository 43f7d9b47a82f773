using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Tasks;
using System.Xml;

namespace Eindkomst.Transport.Security
{
    /// <summary>A SAML 2.0 holder-of-key token as the STS issued it.</summary>
    public sealed class SamlToken
    {
        internal SamlToken(string xml, string id, string audience, DateTime notOnOrAfter)
        {
            Xml = xml;
            Id = id;
            Audience = audience;
            NotOnOrAfter = notOnOrAfter;
        }

        /// <summary>The assertion's XML, unchanged (its signature covers it).</summary>
        public string Xml { get; }
        /// <summary>The assertion's ID.</summary>
        public string Id { get; }
        /// <summary>The entity id it was issued for.</summary>
        public string Audience { get; }
        /// <summary><c>Conditions/@NotOnOrAfter</c>, UTC.</summary>
        public DateTime NotOnOrAfter { get; }
    }

    /// <summary>Where a service call gets its token and the token's holder-of-key; <see cref="StsClient"/> is the real one.</summary>
    public interface ITokenSource
    {
        /// <summary>A token valid now for <paramref name="entityId"/>.</summary>
        Task<SamlToken> TokenAsync(string entityId);

        /// <summary>The holder-of-key of the tokens (the function certificate, with its private key).</summary>
        X509Certificate2 Certificate { get; }
    }

    /// <summary>No token: the STS refused (its reason is in the message), was unreachable, or answered nonsense.</summary>
    public sealed class StsException : Exception
    {
        internal StsException(string message, Exception inner = null) : base(message, inner)
        {
        }
    }

    /// <summary>
    /// Client of KOMBIT's STS ("Adgangsstyring for systemer"): WS-Trust 1.3 Issue over SOAP 1.2 (the request of the
    /// Java and Node adapters and KOMBIT's Java sample), signed with the function certificate; asks for a SAML 2.0
    /// holder-of-key token for an entity id with the organisation's CVR as claim. Tokens are cached per entity id and
    /// renewed <see cref="RenewBefore"/> before they expire; callers asking at the same time share one request.
    /// The same tokens serve the SOAP services (<see cref="TokenSecurity"/>) and Beskedfordeler's SASL EXTERNAL
    /// (<see cref="AmqpToken"/>). Thread-safe.
    /// </summary>
    public sealed class StsClient : ITokenSource, IDisposable
    {
        private const string IssueAction = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue";
        private readonly Uri url;
        private readonly string cvr;
        private readonly HttpClient http;
        private readonly Dictionary<string, SamlToken> cache = new Dictionary<string, SamlToken>();
        private readonly Dictionary<string, Task<SamlToken>> pending = new Dictionary<string, Task<SamlToken>>();

        /// <summary>An STS client.</summary>
        /// <param name="url">The WS-Trust endpoint (docs/transports.md section 6).</param>
        /// <param name="cvr">The municipality's CVR, 8 digits: the certificate's.</param>
        /// <param name="functionCertificate">The function certificate with its private key: signs the requests, holder-of-key of the tokens.</param>
        /// <param name="tls">Trust for the STS's TLS certificate; null: the system's.</param>
        public StsClient(Uri url, string cvr, X509Certificate2 functionCertificate, Tls tls = null)
        {
            if (url == null) throw new ArgumentNullException(nameof(url));
            if (cvr == null || cvr.Length != 8 || !IsDigits(cvr)) throw new ArgumentException("the CVR must be 8 digits", nameof(cvr));
            if (functionCertificate == null || !functionCertificate.HasPrivateKey)
                throw new ArgumentException("the function certificate must come with its private key", nameof(functionCertificate));
            this.url = url;
            this.cvr = cvr;
            Certificate = functionCertificate;
            http = (tls ?? Tls.Default).NewClient(TimeSpan.FromSeconds(30));
        }

        /// <summary>How long before <c>NotOnOrAfter</c> a cached token is renewed (default 5 minutes).</summary>
        public TimeSpan RenewBefore { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>The clock that decides when a cached token is due (default <see cref="DateTime.UtcNow"/>).</summary>
        public Func<DateTime> Clock { get; set; } = () => DateTime.UtcNow;

        /// <summary>The holder-of-key of the tokens.</summary>
        public X509Certificate2 Certificate { get; }

        /// <summary>A token valid now for <paramref name="entityId"/>, from the cache or freshly issued.</summary>
        /// <exception cref="StsException">The STS refused or could not be reached.</exception>
        public Task<SamlToken> TokenAsync(string entityId)
        {
            if (string.IsNullOrEmpty(entityId)) throw new ArgumentException("an entity id is needed", nameof(entityId));
            lock (cache)
            {
                SamlToken t;
                if (cache.TryGetValue(entityId, out t) && Clock().ToUniversalTime() < t.NotOnOrAfter - RenewBefore) return Task.FromResult(t);
                Task<SamlToken> p;
                if (!pending.TryGetValue(entityId, out p))
                {
                    p = IssueAndCacheAsync(entityId);
                    if (!p.IsCompleted) pending[entityId] = p;
                }
                return p;
            }
        }

        private async Task<SamlToken> IssueAndCacheAsync(string entityId)
        {
            try
            {
                SamlToken fresh = await IssueAsync(entityId).ConfigureAwait(false);
                lock (cache) cache[entityId] = fresh;
                return fresh;
            }
            finally
            {
                lock (cache) pending.Remove(entityId);
            }
        }

        /// <summary>
        /// Beskedfordeler's SASL EXTERNAL response: the current token for <paramref name="entityId"/>
        /// (<c>http://entityid.kombit.dk/service/bfo_modtag/2</c>) as UTF-8 XML bytes. Call it before each (re)connect.
        /// </summary>
        public Func<Task<byte[]>> AmqpToken(string entityId)
        {
            return async () => new UTF8Encoding(false).GetBytes((await TokenAsync(entityId).ConfigureAwait(false)).Xml);
        }

        /// <summary>Disposes the HTTP client.</summary>
        public void Dispose()
        {
            http.Dispose();
        }

        private async Task<SamlToken> IssueAsync(string entityId)
        {
            byte[] body = Request(entityId);
            HttpResponseMessage res;
            byte[] answer;
            try
            {
                var content = new ByteArrayContent(body);
                content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/soap+xml; charset=utf-8; action=\"" + IssueAction + "\"");
                res = await http.PostAsync(url, content).ConfigureAwait(false);
                answer = await res.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException || e is TaskCanceledException || e is System.IO.IOException)
            {
                throw new StsException("token request to " + url + " failed: " + Reason(e), e);
            }
            int status = (int)res.StatusCode;
            XmlElement env;
            try
            {
                env = SafeXml.Parse(answer).DocumentElement;
            }
            catch (XmlException)
            {
                throw new StsException("STS answered HTTP " + status + " with no usable SOAP envelope");
            }
            XmlElement sbody = SafeXml.Child(env, Ns.Soap12, "Body");
            XmlElement fault = SafeXml.Child(sbody, Ns.Soap12, "Fault");
            if (fault != null)
            {
                string reason = SafeXml.Text(SafeXml.Child(SafeXml.Child(fault, Ns.Soap12, "Reason"), Ns.Soap12, "Text"));
                throw new StsException("STS refused the token request (HTTP " + status + "): " + Redact.Cpr(reason));
            }
            if (status != 200) throw new StsException("STS answered HTTP " + status + " without a SOAP fault");
            XmlNodeList assertions = sbody == null ? null : sbody.GetElementsByTagName("Assertion", Ns.Saml);
            if (assertions == null || assertions.Count != 1) throw new StsException("STS answer without exactly one saml:Assertion");
            var a = (XmlElement)assertions[0];
            XmlElement conditions = SafeXml.Child(a, Ns.Saml, "Conditions");
            string audience = SafeXml.Text(SafeXml.Child(SafeXml.Child(conditions, Ns.Saml, "AudienceRestriction"), Ns.Saml, "Audience"));
            if (audience != entityId) throw new StsException("STS issued a token for " + audience + ", not " + entityId);
            DateTime notOnOrAfter;
            if (conditions == null || !DateTime.TryParse(conditions.GetAttribute("NotOnOrAfter"), CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out notOnOrAfter))
                throw new StsException("STS token without a readable Conditions/@NotOnOrAfter");
            // The assertion on its own, with any namespace declaration it inherits (its exclusive c14n, which the
            // signatures cover, is unchanged).
            return new SamlToken(Signatures.Standalone(a).DocumentElement.OuterXml, a.GetAttribute("ID"), audience, notOnOrAfter);
        }

        /// <summary>
        /// The WS-Trust Issue request (SOAP 1.2), signed with the function certificate sent as BinarySecurityToken over
        /// the Timestamp, Body, the four WS-Addressing headers and the certificate itself.
        /// </summary>
        private byte[] Request(string entityId)
        {
            string certB64 = Convert.ToBase64String(Certificate.RawData);
            string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><s:Envelope xmlns:s=\"" + Ns.Soap12 + "\" xmlns:wsa=\"" + Ns.Wsa + "\"><s:Header>"
                + "<wsa:Action>" + IssueAction + "</wsa:Action><wsa:MessageID>urn:uuid:" + Guid.NewGuid().ToString("D") + "</wsa:MessageID>"
                + "<wsa:To>" + Esc(url.ToString()) + "</wsa:To><wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>"
                + "<wsse:Security xmlns:wsse=\"" + Ns.Wsse + "\" s:mustUnderstand=\"true\"/></s:Header><s:Body>"
                + "<wst:RequestSecurityToken xmlns:wst=\"" + Ns.Wst + "\">"
                + "<wst:TokenType>" + Signatures.Saml2Token + "</wst:TokenType><wst:RequestType>" + Ns.Wst + "/Issue</wst:RequestType>"
                + "<wsp:AppliesTo xmlns:wsp=\"" + Ns.Wsp + "\"><wsa:EndpointReference><wsa:Address>" + Esc(entityId) + "</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>"
                + "<wst:Claims Dialect=\"http://docs.oasis-open.org/wsfed/authorization/200706/authclaims\">"
                + "<auth:ClaimType xmlns:auth=\"http://docs.oasis-open.org/wsfed/authorization/200706\" Uri=\"dk:gov:saml:attribute:CvrNumberIdentifier\">"
                + "<auth:Value>" + cvr + "</auth:Value></auth:ClaimType></wst:Claims>"
                + "<wst:KeyType>" + Ns.Wst + "/PublicKey</wst:KeyType>"
                + "<wst:UseKey><wsse:BinarySecurityToken xmlns:wsse=\"" + Ns.Wsse + "\" EncodingType=\"" + Signatures.Base64Binary + "\" ValueType=\""
                + Signatures.X509V3 + "\">" + certB64 + "</wsse:BinarySecurityToken></wst:UseKey></wst:RequestSecurityToken></s:Body></s:Envelope>";
            XmlDocument doc = SafeXml.Parse(xml);
            XmlElement env = doc.DocumentElement;
            XmlElement header = SafeXml.Child(env, Ns.Soap12, "Header");
            XmlElement security = SafeXml.Child(header, Ns.Wsse, "Security");
            XmlElement ts = Signatures.Timestamp(security, DateTime.UtcNow);
            XmlElement bst = (XmlElement)security.AppendChild(Signatures.BinaryToken(doc, Certificate));
            var parts = new List<string> { Signatures.Id(ts), Signatures.Id(SafeXml.Child(env, Ns.Soap12, "Body")) };
            foreach (XmlElement h in SafeXml.Children(header, null, null))
                if (h.NamespaceURI == Ns.Wsa) parts.Add(Signatures.Id(h));
            parts.Add(Signatures.Id(bst));
            XmlElement keyInfo = doc.CreateElement("wsse", "SecurityTokenReference", Ns.Wsse);
            XmlElement r = Signatures.Add(keyInfo, "wsse", "Reference", Ns.Wsse);
            r.SetAttribute("URI", "#" + Signatures.Id(bst));
            r.SetAttribute("ValueType", Signatures.X509V3);
            using (RSA key = Certificate.GetRSAPrivateKey())
                Signatures.Sign(doc, security, parts, new string[0], key, keyInfo);
            return new UTF8Encoding(false).GetBytes(doc.OuterXml);
        }

        internal static string Esc(string s)
        {
            return SecurityElement.Escape(s);
        }

        internal static string Reason(Exception e)
        {
            if (e is TaskCanceledException) return "timeout";
            for (Exception x = e; x != null; x = x.InnerException)
            {
                var se = x as System.Net.Sockets.SocketException;
                if (se != null) return se.SocketErrorCode.ToString();
                var we = x as System.Net.WebException;
                if (we != null && we.Status != System.Net.WebExceptionStatus.UnknownError) return we.Status.ToString();
            }
            return e.GetType().Name;
        }

        private static bool IsDigits(string s)
        {
            foreach (char c in s)
                if (c < '0' || c > '9') return false;
            return true;
        }
    }
}
