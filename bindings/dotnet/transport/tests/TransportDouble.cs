using System;
using System.Collections.Generic;
using System.IO;
using System.Json;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Xml;
using Eindkomst.Transport.Security;
using Eindkomst.Transport.Soap;
using static Eindkomst.Transport.Tests.TestRunner;

namespace Eindkomst.Transport.Tests
{
    /// <summary>
    /// bindings/transport-double as the C# tests use it: started by tests/servers.sh (its ready line in EIK_DOUBLE_READY,
    /// its certificates in EIK_DOUBLE_CERTS), driven through its control API. Tests call Reset() first.
    /// </summary>
    internal static class TransportDouble
    {
        // Synthetic CPR numbers. SKAT's schema refuses the day + 60 convention, so requests that must pass use a birth
        // date in 2057 (century digit 5-8 with year 57), which belongs to nobody.
        internal const string CprA = "0101575123";
        internal const string CprB = "1502578456";
        internal const string Se = "12345678";

        private static readonly Lazy<JsonValue> ReadyLine = new Lazy<JsonValue>(() => JsonValue.Parse(File.ReadAllText(Env("EIK_DOUBLE_READY"))));
        private static readonly HttpClient Control = new HttpClient();

        internal static JsonValue Ready => ReadyLine.Value;
        internal static string Certs => Env("EIK_DOUBLE_CERTS");
        internal static Uri StsUrl => new Uri((string)Ready["sts"]["url"]);
        internal static string Cvr => (string)Ready["cvr"];
        internal static Uri Url(string service) => new Uri((string)Ready["services"][service]["url"]);
        internal static string SoapAction(string service) => (string)Ready["services"][service]["soapAction"];
        internal static string EntityId(string service) => (string)Ready["services"][service]["entityId"];

        /// <summary>A function certificate with its key (client or stranger), from the legacy PKCS#12 servers.sh makes for Mono.</summary>
        internal static X509Certificate2 Certificate(string who = "client") =>
            new X509Certificate2(Path.Combine(Certs, who + "-legacy.p12"), "changeit", X509KeyStorageFlags.Exportable);

        internal static X509Certificate2 Sp => new X509Certificate2(Path.Combine(Certs, "sp.crt"));

        internal static X509Certificate2Collection Ca => new X509Certificate2Collection(new X509Certificate2(Path.Combine(Certs, "ca.crt")));

        /// <summary>TLS as a client of the double: <paramref name="who"/>'s certificate, the test CA as trust.</summary>
        internal static Tls Tls(string who = "client") => new Tls { ClientCertificate = Certificate(who), TrustedRoots = Ca };

        internal static StsClient Sts(string who = "client") => new StsClient(StsUrl, Cvr, Certificate(who), new Tls { TrustedRoots = Ca });

        internal static AbonnentAdgang Adgang => new AbonnentAdgang("0784", "3154", "272", "Fuld");

        internal static CallContext Full => new CallContext
        {
            OnBehalfOfUser = "sagsbehandler-7", CallersServiceCallIdentifier = "call-42", AccountingInfo = "konto 1", MunicipalityCvr = "29189846",
        };

        internal static SoapEndpoint Endpoint(string service, ISoapSecurity security, Tls tls = null) =>
            new SoapEndpoint(Url(service), SoapAction(service), security, tls ?? Tls());

        internal static TokenSecurity Security(ITokenSource tokens, string service) => new TokenSecurity(tokens, EntityId(service), Sp);

        internal static JsonValue Get(string path) => Call(HttpMethod.Get, path);

        internal static JsonValue Post(string path) => Call(HttpMethod.Post, path);

        internal static void Reset() => Post("/reset");

        internal static List<JsonValue> Requests() => ((JsonArray)Get("/requests")).ToList();

        internal static List<JsonValue> ServiceRequests() => Requests().Where(r => (string)r["endpoint"] != "sts").ToList();

        internal static List<string> Subscriptions(string se)
        {
            var all = (JsonObject)Get("/subscriptions");
            return all.ContainsKey(se) ? ((JsonArray)all[se]).Select(v => (string)v).ToList() : new List<string>();
        }

        internal static string Str(JsonValue v, string key)
        {
            var o = (JsonObject)v;
            return o.ContainsKey(key) && o[key] != null ? (string)o[key] : null;
        }

        /// <summary>The recorded request's body, parsed.</summary>
        internal static XmlDocument Body(JsonValue request)
        {
            var doc = new XmlDocument { PreserveWhitespace = true };
            doc.LoadXml((string)request["body"]);
            return doc;
        }

        internal static List<string> Texts(XmlDocument doc, string ns, string local) =>
            doc.GetElementsByTagName(local, ns).Cast<XmlElement>().Select(e => e.InnerText.Trim()).ToList();

        /// <summary>Every service request was accepted without warnings from the reconstructed wrapper schema.</summary>
        internal static List<JsonValue> Accepted(int n)
        {
            List<JsonValue> rs = ServiceRequests();
            Eq(n, rs.Count, "service requests");
            foreach (JsonValue r in rs)
            {
                True((bool)r["accepted"], "refused: " + Str(r, "refusal"));
                Eq(0, ((JsonArray)r["warnings"]).Count, "warnings of the reconstructed schema");
            }
            return rs;
        }

        private static JsonValue Call(HttpMethod method, string path)
        {
            using (HttpResponseMessage res = Control.SendAsync(new HttpRequestMessage(method, (string)Ready["control"] + path)).Result)
            {
                JsonValue body = JsonValue.Parse(res.Content.ReadAsStringAsync().Result);
                if ((int)res.StatusCode != 200) throw new Failure(path + ": " + body);
                return body;
            }
        }
    }
}
