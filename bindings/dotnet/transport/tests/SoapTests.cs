using System;
using System.Collections.Generic;
using System.IO;
using System.Json;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using System.Xml;
using System.Xml.Schema;
using Eindkomst.Transport.Security;
using Eindkomst.Transport.Soap;
using static Eindkomst.Transport.Tests.TestRunner;
using static Eindkomst.Transport.Tests.TransportDouble;

namespace Eindkomst.Transport.Tests
{
    /// <summary>STS, both SOAP clients and WS-Security against the transport double (it verifies every signature and validates every body).</summary>
    internal static class SoapTests
    {
        private static readonly Lazy<StsClient> SharedSts = new Lazy<StsClient>(() => Sts());

        private static IndkomstAbonnementVedligeholdClient Vedligehold(CallContext ctx = null, ISoapSecurity security = null, Tls tls = null) =>
            new IndkomstAbonnementVedligeholdClient(Endpoint("vedligehold", security ?? Security(SharedSts.Value, "vedligehold"), tls), ctx ?? Full, Adgang);

        private static IndkomstOplysningVirksomhedAbonnentBestilClient Bestil(ISoapSecurity security = null) =>
            new IndkomstOplysningVirksomhedAbonnentBestilClient(Endpoint("bestil", security ?? Security(SharedSts.Value, "bestil")),
                new CallContext { MunicipalityCvr = "29189846" }, Adgang);

        private static readonly DateTime Feb1 = new DateTime(2025, 2, 1);

        /// <summary>A token source with a fixed token and holder.</summary>
        private sealed class FixedTokens : ITokenSource
        {
            private readonly SamlToken token;

            internal FixedTokens(SamlToken token, X509Certificate2 holder)
            {
                this.token = token;
                Certificate = holder;
            }

            public X509Certificate2 Certificate { get; }

            public Task<SamlToken> TokenAsync(string entityId) => Task.FromResult(token);
        }

        /// <summary>TokenSecurity with the request edited before (<paramref name="pre"/>) or after (<paramref name="post"/>) signing.</summary>
        private sealed class Edited : ISoapSecurity
        {
            private readonly ISoapSecurity real;
            private readonly Func<string, string> pre, post;

            internal Edited(ISoapSecurity real, Func<string, string> pre = null, Func<string, string> post = null)
            {
                this.real = real;
                this.pre = pre ?? (s => s);
                this.post = post ?? (s => s);
            }

            public async Task<byte[]> SecureAsync(byte[] envelope)
            {
                byte[] signed = await real.SecureAsync(Encoding.UTF8.GetBytes(pre(Encoding.UTF8.GetString(envelope))));
                return Encoding.UTF8.GetBytes(post(Encoding.UTF8.GetString(signed)));
            }

            public void VerifyAnswer(byte[] answer, bool fault) => real.VerifyAnswer(answer, fault);
        }

        /// <summary>Starts a subscription, expects the double's refusal of <paramref name="category"/>, returns its reason.</summary>
        private static string Refused(IndkomstAbonnementVedligeholdClient c, string category)
        {
            var e = Throws<ServiceplatformFaultException>(() => c.StartAsync(Se, Feb1, new[] { CprA }).Wait(), "refusal");
            Eq("DOUBLE-" + category.ToUpperInvariant(), e.Errors[0].ErrorCode, "error code");
            List<JsonValue> rs = ServiceRequests();
            Eq(1, rs.Count, "service requests");
            Eq(false, (bool)rs[0]["accepted"], "accepted");
            Eq(category, Str(rs[0], "category"), "category");
            Eq(0, Subscriptions(Se).Count, "subscriptions");
            return Str(rs[0], "refusal");
        }

        internal static void Register()
        {
            // STS
            Test("sts: issues a holder-of-key token with the CVR for the entity id", () =>
            {
                Reset();
                SamlToken t = SharedSts.Value.TokenAsync(EntityId("vedligehold")).Result;
                Eq(EntityId("vedligehold"), t.Audience, "audience");
                var a = new XmlDocument();
                a.LoadXml(t.Xml);
                Eq("Assertion", a.DocumentElement.LocalName, "root");
                Eq(t.Id, a.DocumentElement.GetAttribute("ID"), "ID");
                var hok = (XmlElement)a.GetElementsByTagName("SubjectConfirmation", Ns.Saml)[0];
                Eq("urn:oasis:names:tc:SAML:2.0:cm:holder-of-key", hok.GetAttribute("Method"), "confirmation method");
                Eq(Convert.ToBase64String(Certificate().RawData), hok.GetElementsByTagName("X509Certificate", Ns.Ds)[0].InnerText.Replace("\n", ""), "holder");
                Eq("29189846", a.GetElementsByTagName("AttributeValue", Ns.Saml)[0].InnerText, "CVR");
                DateTime notBefore = DateTime.Parse(((XmlElement)a.GetElementsByTagName("Conditions", Ns.Saml)[0]).GetAttribute("NotBefore"), null,
                    System.Globalization.DateTimeStyles.AdjustToUniversal);
                Eq(TimeSpan.FromHours(8), t.NotOnOrAfter - notBefore, "lifetime");
                List<JsonValue> rs = Requests();
                Eq(1, rs.Count, "requests");
                Eq("sts", Str(rs[0], "endpoint"), "endpoint");
                True((bool)rs[0]["accepted"], "refused: " + Str(rs[0], "refusal"));
                Eq(EntityId("vedligehold"), Str(rs[0], "appliesTo"), "AppliesTo");
                Eq(Ns.Soap12, Body(rs[0]).DocumentElement.NamespaceURI, "SOAP 1.2");
            });

            Test("sts: caches per entity id, renews before expiry, callers at the same time share one request", () =>
            {
                Reset();
                DateTime now = DateTime.UtcNow;
                using (StsClient sts = Sts())
                {
                    sts.Clock = () => now;
                    SamlToken first = sts.TokenAsync(EntityId("vedligehold")).Result;
                    True(ReferenceEquals(first, sts.TokenAsync(EntityId("vedligehold")).Result), "cached");
                    SamlToken other = sts.TokenAsync(EntityId("bestil")).Result;
                    True(other.Id != first.Id, "another token for another entity id");
                    Eq(2, ((JsonArray)Get("/tokens")).Count, "tokens issued");
                    now = first.NotOnOrAfter - TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1);
                    True(ReferenceEquals(first, sts.TokenAsync(EntityId("vedligehold")).Result), "still cached just before the renewal time");
                    now = first.NotOnOrAfter - TimeSpan.FromMinutes(5);
                    SamlToken renewed = sts.TokenAsync(EntityId("vedligehold")).Result;
                    True(renewed.Id != first.Id, "renewed");
                    Eq(3, ((JsonArray)Get("/tokens")).Count, "tokens issued after the renewal");
                    now += TimeSpan.FromHours(8);
                    Task<SamlToken> x = sts.TokenAsync(EntityId("bestil")), y = sts.TokenAsync(EntityId("bestil"));
                    True(ReferenceEquals(x.Result, y.Result), "shared");
                    Eq(4, ((JsonArray)Get("/tokens")).Count, "one request for two callers");
                }
            });

            Test("sts: refusals are typed", () =>
            {
                Reset();
                var e = Throws<StsException>(() => SharedSts.Value.TokenAsync("urn:not:a:service").Wait(), "unknown entity id");
                Eq("STS refused the token request (HTTP 500): unknown entity id urn:not:a:service", e.Message, "message");
                using (var wrongCvr = new StsClient(StsUrl, "11111111", Certificate(), new Tls { TrustedRoots = Ca }))
                {
                    e = Throws<StsException>(() => wrongCvr.TokenAsync(EntityId("bestil")).Wait(), "CVR claim");
                    Eq("STS refused the token request (HTTP 500): CVR claim 11111111 is not the CVR of the certificate", e.Message, "message");
                }
                Throws<ArgumentException>(() => new StsClient(StsUrl, "2918984", Certificate()), "7-digit CVR");
                Throws<ArgumentException>(() => new StsClient(StsUrl, Cvr, new X509Certificate2(Path.Combine(Certs, "client.crt"))), "no private key");
                Seq(new[] { false, false }, Requests().Select(r => (bool)r["accepted"]), "recorded");
            });

            Test("sts: the AMQP token is the assertion XML for Beskedfordeler", () =>
            {
                Reset();
                using (StsClient sts = Sts())
                {
                    Func<Task<byte[]>> token = sts.AmqpToken((string)Ready["amqpEntityId"]);
                    byte[] first = token().Result;
                    var a = new XmlDocument();
                    a.LoadXml(Encoding.UTF8.GetString(first));
                    Eq((string)Ready["amqpEntityId"], a.GetElementsByTagName("Audience", Ns.Saml)[0].InnerText, "audience");
                    Seq(first, token().Result, "the same token from the cache");
                    Eq(1, ((JsonArray)Get("/tokens")).Count, "tokens issued");
                    Throws<StsException>(() => sts.AmqpToken("urn:not:a:service")().Wait(), "unknown entity id");
                }
            });

            // SOAP
            Test("soap: start subscribes every CPR; the double accepts the request; the transaction is echoed", () =>
            {
                Reset();
                Svar svar = Vedligehold().StartAsync(Se, Feb1, new[] { CprA, CprB }).Result;
                JsonValue r = Accepted(1)[0];
                Eq(Str(r, "transaktionsId"), svar.TransaktionsId, "TransaktionsId");
                Eq(0, svar.Advis.Count, "advis");
                Eq(null, svar.BestillingId, "no order id");
                Seq(new[] { CprA, CprB }, Subscriptions(Se), "subscriptions");
                XmlDocument d = Body(r);
                Seq(new[] { "2025-02-01" }, Texts(d, Ns.XkomStart, "StartDate"), "StartDate");
                Seq(new[] { "3154" }, Texts(d, Ns.AbonnementType, "AbonnementTypeKode"), "AbonnementTypeKode");
                Seq(new[] { "Fuld" }, Texts(d, Ns.OmfangType, "AbonnentAdgangOmfangTypeTekst"), "omfang");
                Seq(new[] { "sagsbehandler-7" }, Texts(d, Ns.Kontekst, "OnBehalfOfUser"), "OnBehalfOfUser");
                Seq(new[] { "call-42" }, Texts(d, Ns.Kontekst, "CallersServiceCallIdentifier"), "CallersServiceCallIdentifier");
                Seq(new[] { "konto 1" }, Texts(d, Ns.Kontekst, "AccountingInfo"), "AccountingInfo");
                Seq(new[] { "29189846" }, Texts(d, Ns.Kontekst, "MunicipalityCVR"), "MunicipalityCVR");
                Seq(new[] { CprA, CprB }, Texts(d, Ns.Cpr, "PersonCivilRegistrationIdentifier"), "CPRs");
                Eq("\"" + SoapAction("vedligehold") + "\"", Str(r, "soapAction"), "SOAPAction header");
            });

            Test("soap: a repeated start gives an Advis; stop removes", () =>
            {
                Reset();
                IndkomstAbonnementVedligeholdClient c = Vedligehold(new CallContext { MunicipalityCvr = "29189846" });
                c.StartAsync(Se, Feb1, new[] { CprA, CprB }).Wait();
                Svar again = c.StartAsync(Se, Feb1, new[] { CprA }).Result;
                Seq(new[] { "ADVIS 210 from SKAT: Person er allerede tilmeldt abonnementet" }, again.Advis.Select(a => a.ToString()), "advis");
                Eq(ReaktionArt.Advis, again.Advis[0].Art, "art");
                c.StopAsync(Se, new DateTime(2025, 3, 31), new[] { CprB }).Wait();
                Seq(new[] { CprA }, Subscriptions(Se), "subscriptions");
                Seq(new[] { "2025-03-31" }, Texts(Body(Accepted(3)[2]), Ns.XkomEnd, "EndDate"), "EndDate");
            });

            Test("soap: an SE-nr outside the dataafgrænsning is a Fejl", () =>
            {
                Reset();
                var e = Throws<FejlSvarException>(() => Vedligehold().StartAsync("87654321", Feb1, new[] { CprA }).Wait(), "Fejl");
                Eq(1, e.Fejl.Count, "Fejl");
                Eq("4100", e.Fejl[0].Id, "FejlId");
                Eq("SE-nr er ikke omfattet af dataafgrænsningen", e.Fejl[0].Tekst, "FejlTekst");
                Eq("Serviceplatformen", e.Fejl[0].KildeId, "KildeId");
                Eq(Str(Accepted(1)[0], "transaktionsId"), e.TransaktionsId, "TransaktionsId");
            });

            Test("soap: a platform fault is typed and its message masks CPR-like text", () =>
            {
                Reset();
                Post("/fault?code=SP-1001&text=" + Uri.EscapeDataString("Ugyldigt token for " + CprA));
                var e = Throws<ServiceplatformFaultException>(() => Vedligehold().StartAsync(Se, Feb1, new[] { CprA }).Wait(), "fault");
                Eq(500, e.HttpStatus, "HTTP status");
                Eq("soap:Server", e.FaultCode, "faultcode");
                Eq("SP-1001", e.Errors[0].ErrorCode, "ErrorCode");
                Eq("Ugyldigt token for " + CprA, e.Errors[0].ErrorText, "ErrorText verbatim");
                True(!e.Message.Contains(CprA) && e.Message.Contains("**********"), "masked: " + e.Message);
                Eq(0, Subscriptions(Se).Count, "subscriptions");
            });

            Test("soap: identifiers are checked by the engine and CPRs against SKAT's type before anything is sent", () =>
            {
                Reset();
                IndkomstAbonnementVedligeholdClient c = Vedligehold();
                var e = Throws<InvalidIdentifierException>(() => c.StartAsync(Se, Feb1, new[] { CprA, "71128X4321" }).Wait(), "letter");
                Eq("CPR #2 rejected by the engine: not_digit", e.Message, "message");
                e = Throws<InvalidIdentifierException>(() => c.StartAsync("1234567 ", Feb1, new[] { CprA }).Wait(), "SE-nr");
                Eq("SE-nr #1 rejected by the engine: not_digit", e.Message, "message");
                Eq("wrong_length", Throws<InvalidIdentifierException>(() => c.StopAsync(Se, Feb1, new[] { "010157512" }).Wait(), "9 digits").Code, "code");
                // DDMM must be a date: day + 60, 30 February, 31 April, month 13 are not.
                foreach (string bad in new[] { "6101901234", "3002575123", "3104575123", "0113575123" })
                {
                    e = Throws<InvalidIdentifierException>(() => c.StartAsync(Se, Feb1, new[] { CprA, bad }).Wait(), bad);
                    Eq("CPR #2 rejected by SKAT's PersonCivilRegistrationIdentifierType: not_a_date", e.Message, bad);
                    Eq("not_a_date", e.Code, bad);
                }
                // SKAT's type allows 0000000000 ("required but unknown"); the engine does not: no person to subscribe.
                Eq("CPR #1 rejected by the engine: no_identity",
                    Throws<InvalidIdentifierException>(() => c.StartAsync(Se, Feb1, new[] { "0000000000" }).Wait(), "zeros").Message, "zeros");
                Eq("SE-nr #2 rejected by the engine: not_digit", Throws<InvalidIdentifierException>(() => Bestil().BestilAsync(new Bestilling
                {
                    AbonnentSeNr = Se, IndberetterSeNr = { "5555555A" }, Fra = "202501",
                }).Wait(), "reporter").Message, "reporter");
                Eq(0, Requests().Count, "nothing sent");
                c.StartAsync(Se, Feb1, new[] { "2902575123" }).Wait(); // 29 February, any year, as in SKAT's pattern
                Accepted(1);
            });

            Test("soap: an order returns the order id and puts each CPR where SKAT's schema wants it", () =>
            {
                Reset();
                Svar svar = Bestil().BestilAsync(new Bestilling
                {
                    AbonnentSeNr = Se, MedarbejderId = "sb-77", IndberetterSeNr = { "11111111", "22222222" }, Fra = "202501", Til = "202503", Cprs = { CprA, CprB },
                }).Result;
                JsonValue r = Accepted(1)[0];
                Seq(new[] { svar.BestillingId }, ((JsonArray)Get("/orders")).Select(v => (string)v), "orders");
                XmlDocument d = Body(r);
                Seq(new[] { "12345678", "11111111", "22222222" }, Texts(d, Ns.Virksomhed, "VirksomhedSENummerIdentifikator"), "SE-nrs");
                Seq(new[] { "202503", "202503" }, Texts(d, Ns.SoegeTil, "SoegeAarMaanedTilKode"), "to month");
                Seq(new[] { "sb-77" }, Texts(d, Ns.Medarbejder, "IndkomstOplysningAdgangMedarbejderIdentifikator"), "caseworker");
                List<XmlElement> cprs = d.GetElementsByTagName("PersonCivilRegistrationIdentifier", Ns.Cpr).Cast<XmlElement>().ToList();
                Eq(4, cprs.Count, "CPR elements (2 per reporting SE-nr)");
                foreach (XmlElement x in cprs)
                    Seq(new[] { "Person", "PersonVirksomhedValg", "IndkomstPersonVirksomhedStruktur" },
                        new[] { x.ParentNode.LocalName, x.ParentNode.ParentNode.LocalName, x.ParentNode.ParentNode.ParentNode.LocalName }, "CPR path");
                Throws<ArgumentException>(() => Bestil().BestilAsync(new Bestilling { AbonnentSeNr = Se, IndberetterSeNr = { Se }, Fra = "202513" }).Wait(), "month 13");
            });

            Test("soap: every request body is valid against SKAT's and KOMBIT's schemas (System.Xml.Schema here)", () =>
            {
                Reset();
                Vedligehold().StartAsync(Se, Feb1, new[] { CprA, CprB }).Wait();
                Vedligehold().StopAsync(Se, Feb1, new[] { CprA }).Wait();
                Bestil().BestilAsync(new Bestilling { AbonnentSeNr = Se, MedarbejderId = "sb-77", IndberetterSeNr = { "11111111" }, Fra = "202501", Til = "202503", Cprs = { CprA } }).Wait();
                Bestil().BestilAsync(new Bestilling { AbonnentSeNr = Se, IndberetterSeNr = { "11111111", "22222222" }, Fra = "202412" }).Wait();
                List<JsonValue> rs = Accepted(4);
                string xsd = Path.Combine(Repo, "bindings/transport-double/xsd");
                XmlSchemaSet kontekst = Schemas(Path.Combine(xsd, "kombit-context/KontekstType.xsd"));
                XmlSchemaSet ajourfoer = Schemas(Path.Combine(xsd, "skat/skat_dk/eindkomst/IndkomstOplysningPersonAbonnementAjourfoer_I.xsd"));
                XmlSchemaSet bestil = Schemas(Path.Combine(xsd, "skat/skat_dk/eindkomst/IndkomstOplysningVirksomhedAbonnentBestil_I_I.xsd"));
                var findings = new List<string>();
                foreach (JsonValue r in rs)
                {
                    XmlElement root = SafeXml.FirstElement(SafeXml.Child(Body(r).DocumentElement, Ns.Soap, "Body"));
                    bool v = root.LocalName == "IndkomstOplysningPersonAbonnementAjourfoer_I";
                    List<XmlElement> parts = SafeXml.Children(root, null, null);
                    Eq(2, parts.Count, "HovedOplysninger and Inddata");
                    findings.AddRange(Validate(kontekst, parts[0].OuterXml));
                    // SKAT's level, as the schema README says: the Inddata children under SKAT's root, after an empty HovedOplysninger.
                    string skatRoot = v ? "IndkomstOplysningPersonAbonnementAjourfoer_I" : "IndkomstOplysningVirksomhedAbonnentBestil_I_I";
                    string inddata = v ? "PersonIndkomstAbonnementInddata" : "IndkomstOplysningVirksomhedAbonnentBestilInddata";
                    string doc = "<fase2:" + skatRoot + " xmlns:fase2=\"" + Ns.Fase2 + "\"><skatkontekst:HovedOplysninger xmlns:skatkontekst=\""
                        + "http://rep.oio.dk/skat.dk/basis/kontekst/xml/schemas/2006/09/01/\"/><fase2:" + inddata + ">"
                        + string.Concat(SafeXml.Children(parts[1], null, null).Select(Standalone)) + "</fase2:" + inddata + "></fase2:" + skatRoot + ">";
                    findings.AddRange(Validate(v ? ajourfoer : bestil, doc));
                }
                Seq(new string[0], findings, "schema findings");
                // The check can fail: a body without AbonnentAdgangOmfangTypeTekst is refused by the same schemas.
                string body = Body(rs[0]).OuterXml;
                XmlElement bad = SafeXml.FirstElement(SafeXml.Child(SafeXml.Parse(body.Replace("<abonnentadgangomfangtype:AbonnentAdgangOmfangTypeTekst>Fuld</abonnentadgangomfangtype:AbonnentAdgangOmfangTypeTekst>", "")).DocumentElement, Ns.Soap, "Body"));
                string badDoc = "<fase2:IndkomstOplysningPersonAbonnementAjourfoer_I xmlns:fase2=\"" + Ns.Fase2 + "\"><skatkontekst:HovedOplysninger xmlns:skatkontekst=\""
                    + "http://rep.oio.dk/skat.dk/basis/kontekst/xml/schemas/2006/09/01/\"/><fase2:PersonIndkomstAbonnementInddata>"
                    + string.Concat(SafeXml.Children(SafeXml.Children(bad, null, null)[1], null, null).Select(Standalone))
                    + "</fase2:PersonIndkomstAbonnementInddata></fase2:IndkomstOplysningPersonAbonnementAjourfoer_I>";
                True(Validate(ajourfoer, badDoc).Count == 1, "the schema check refuses a body without AbonnentAdgangOmfangTypeTekst");
            });

            Test("soap: AbonnentAdgangOmfangTypeTekst is mandatory; codes are digits", () =>
            {
                foreach (string omfang in new[] { null, "", " " })
                {
                    var e = Throws<ArgumentException>(() => new IndkomstAbonnementVedligeholdClient(Endpoint("vedligehold", Security(SharedSts.Value, "vedligehold")), Full,
                        new AbonnentAdgang("0784", "3154", "272", omfang)), "omfang " + omfang);
                    True(e.Message.StartsWith("AbonnentAdgang.OmfangTekst (AbonnentAdgangOmfangTypeTekst) is mandatory", StringComparison.Ordinal), e.Message);
                }
                Throws<ArgumentException>(() => new AbonnentAdgang("07A4", "3154", "272", "Fuld"), "letter in a code");
                Throws<ArgumentException>(() => new SoapEndpoint(Url("vedligehold"), "", Security(SharedSts.Value, "vedligehold")), "no SOAPAction");
                Throws<ArgumentNullException>(() => new SoapEndpoint(Url("vedligehold"), SoapAction("vedligehold"), null), "no security");
            });

            Test("soap: a non-SOAP error and an unreachable server are transport errors", () =>
            {
                Reset();
                Post("/raw?status=502");
                var e = Throws<SoapTransportException>(() => Vedligehold().StartAsync(Se, Feb1, new[] { CprA }).Wait(), "502");
                True(e.Message.StartsWith("HTTP 502 with no usable SOAP envelope", StringComparison.Ordinal), e.Message);
                int port = BeskedTests.FreePort();
                var ep = new SoapEndpoint(new Uri("https://127.0.0.1:" + port + "/x"), SoapAction("vedligehold"), Security(SharedSts.Value, "vedligehold"), Tls())
                    { Timeout = TimeSpan.FromSeconds(5) };
                e = Throws<SoapTransportException>(() => new IndkomstAbonnementVedligeholdClient(ep, Full, Adgang).StartAsync(Se, Feb1, new[] { CprA }).Wait(), "refused");
                True(e.Message.StartsWith("request to https://127.0.0.1:" + port + "/x failed: ", StringComparison.Ordinal), e.Message);
            });

            Test("readme: the subscribe example runs with an environment file", () =>
            {
                Reset();
                string env = Path.Combine(TempDir("readme-subscribe"), "exttest.properties");
                File.WriteAllText(env, string.Join("\n", new[]
                {
                    "# the double's values", "keystore=" + Path.Combine(Certs, "client-legacy.p12"), "keystore.password=changeit",
                    "truststore=" + Path.Combine(Certs, "ca.crt"), "cvr=" + Cvr, "sts.url=" + StsUrl, "vedligehold.url=" + Url("vedligehold"),
                    "vedligehold.soapAction=" + SoapAction("vedligehold"), "vedligehold.entityId=" + EntityId("vedligehold"),
                    "serviceplatformen.certificate=" + Path.Combine(Certs, "sp.crt"), "abonnentTypeKode=0784", "abonnementTypeKode=3154",
                    "adgangFormaalTypeKode=272", "omfangTekst=Fuld",
                }));
                string said = SubscribeExample.Run(env, Se, CprA).Result;
                Eq("subscribed, TransaktionsId " + Str(Accepted(1)[0], "transaktionsId") + ", 0 advis", said, "output");
                Seq(new[] { CprA }, Subscriptions(Se), "subscriptions");
            });

            // WS-Security
            Test("wssec: a signed request holds timestamp, token and one signature over every part", () =>
            {
                Reset();
                Vedligehold().StartAsync(Se, Feb1, new[] { CprA }).Wait();
                JsonValue r = Accepted(1)[0];
                XmlDocument d = Body(r);
                var security = (XmlElement)d.GetElementsByTagName("Security", Ns.Wsse)[0];
                List<XmlElement> children = SafeXml.Children(security, null, null);
                Seq(new[] { "Timestamp", "Assertion", "SecurityTokenReference", "Signature" }, children.Select(x => x.LocalName), "Security layout");
                Eq(Str(r, "tokenId"), children[1].GetAttribute("ID"), "the token is the one the double saw");
                var byId = d.GetElementsByTagName("*").Cast<XmlElement>().Where(x => x.HasAttribute("Id", Ns.Wsu)).ToDictionary(x => x.GetAttribute("Id", Ns.Wsu));
                List<XmlElement> refs = children[3].GetElementsByTagName("Reference", Ns.Ds).Cast<XmlElement>().ToList();
                Seq(new[] { "Timestamp", "Body", "Action", "MessageID", "To", "Framework", "SecurityTokenReference" },
                    refs.Select(x => byId[x.GetAttribute("URI").Substring(1)].LocalName), "signed parts");
                Seq(Enumerable.Repeat("http://www.w3.org/2001/10/xml-exc-c14n#", 6).Concat(new[] { "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#STR-Transform" }),
                    refs.Select(x => ((XmlElement)x.GetElementsByTagName("Transform", Ns.Ds)[0]).GetAttribute("Algorithm")), "transforms");
                Eq("1", security.GetAttribute("mustUnderstand", Ns.Soap), "mustUnderstand");
            });

            Test("wssec: the double refuses a changed body", () =>
            {
                Reset();
                string reason = Refused(Vedligehold(security: new Edited(Security(SharedSts.Value, "vedligehold"), post: s => s.Replace(CprA, "0101575124"))), "security");
                True(System.Text.RegularExpressions.Regex.IsMatch(reason, "^signed content was changed: the digest of #\\S+ \\(soap:Body\\) does not match$"), reason);
            });

            Test("wssec: the double refuses a request without timestamp", () =>
            {
                Reset();
                string reason = Refused(Vedligehold(security: new Edited(Security(SharedSts.Value, "vedligehold"),
                    post: s => System.Text.RegularExpressions.Regex.Replace(s, "<wsu:Timestamp .*?</wsu:Timestamp>", ""))), "security");
                Eq("missing wsu:Timestamp in wsse:Security", reason, "reason");
            });

            Test("wssec: the double refuses an expired token", () =>
            {
                Reset();
                Post("/token-lifetime?seconds=1");
                using (StsClient shortLived = Sts())
                {
                    shortLived.RenewBefore = TimeSpan.Zero;
                    SamlToken token = shortLived.TokenAsync(EntityId("vedligehold")).Result;
                    TimeSpan wait = token.NotOnOrAfter - DateTime.UtcNow + TimeSpan.FromMilliseconds(200);
                    if (wait > TimeSpan.Zero) Thread.Sleep(wait);
                    string reason = Refused(Vedligehold(security: Security(new FixedTokens(token, Certificate()), "vedligehold")), "security");
                    Eq("token expired at " + token.NotOnOrAfter.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), reason, "reason");
                }
            });

            Test("wssec: the double refuses a token for another service", () =>
            {
                Reset();
                SamlToken forBestil = SharedSts.Value.TokenAsync(EntityId("bestil")).Result;
                string reason = Refused(Vedligehold(security: Security(new FixedTokens(forBestil, Certificate()), "vedligehold")), "security");
                Eq("token audience " + EntityId("bestil") + " is not this service (" + EntityId("vedligehold") + ")", reason, "reason");
            });

            Test("wssec: unknown certificates are refused at the STS, the service and TLS", () =>
            {
                Reset();
                using (StsClient stranger = Sts("stranger"))
                {
                    var e = Throws<StsException>(() => stranger.TokenAsync(EntityId("vedligehold")).Wait(), "STS");
                    True(e.Message.StartsWith("STS refused the token request (HTTP 500): unknown certificate: certificate ", StringComparison.Ordinal), e.Message);
                }
                SamlToken token = SharedSts.Value.TokenAsync(EntityId("vedligehold")).Result;
                Reset();
                string reason = Refused(Vedligehold(security: Security(new FixedTokens(token, Certificate("stranger")), "vedligehold")), "security");
                Eq("the signature does not verify with the token's holder-of-key certificate", reason, "reason");
                Reset();
                Throws<SoapTransportException>(() => Vedligehold(tls: Tls("stranger")).StartAsync(Se, Feb1, new[] { CprA }).Wait(), "TLS");
                Eq(0, ServiceRequests().Count, "not recorded: the handshake failed");
            });

            Test("wssec: the double refuses bodies against SKAT's schema", () =>
            {
                Reset();
                string missing = Refused(Vedligehold(security: new Edited(Security(SharedSts.Value, "vedligehold"),
                    pre: s => s.Replace("<abonnentadgangomfangtype:AbonnentAdgangOmfangTypeTekst>Fuld</abonnentadgangomfangtype:AbonnentAdgangOmfangTypeTekst>", ""))), "schema");
                True(missing.StartsWith("SKAT schema IndkomstOplysningPersonAbonnementAjourfoer_I.xsd: cvc-complex-type.2.4.a:", StringComparison.Ordinal), missing);
                True(missing.Contains("AbonnentAdgangOmfangTypeTekst"), missing);
                Reset();
                // The CPR straight under IndkomstPersonVirksomhedStruktur: the tree the adapters sent before.
                var oldTree = new Edited(Security(SharedSts.Value, "bestil"),
                    pre: s => s.Replace("<fase2:PersonVirksomhedValg><fase2:Person>", "").Replace("</fase2:Person></fase2:PersonVirksomhedValg>", ""));
                var e = Throws<ServiceplatformFaultException>(() => Bestil(oldTree).BestilAsync(new Bestilling
                {
                    AbonnentSeNr = Se, IndberetterSeNr = { "11111111" }, Fra = "202501", Cprs = { CprA },
                }).Wait(), "old tree");
                string reason = e.Errors[0].ErrorText;
                True(reason.StartsWith("SKAT schema IndkomstOplysningVirksomhedAbonnentBestil_I_I.xsd: cvc-complex-type.2.4.a:", StringComparison.Ordinal), reason);
                True(reason.Contains("PersonCivilRegistrationIdentifier") && reason.Contains("PersonVirksomhedValg"), reason);
                True(!reason.Contains(CprA), "no CPR in the reason");
            });

            Test("wssec: the client refuses answers not signed by the service", () =>
            {
                Reset();
                IndkomstAbonnementVedligeholdClient c = Vedligehold();
                foreach (string[] m in new[]
                {
                    new[] { "tampered", "answer refused: answer was changed after it was signed (a digest does not match)" },
                    new[] { "wrong-key", "answer refused: answer signature does not verify with the service certificate" },
                    new[] { "unsigned", "answer refused: answer is not signed" },
                })
                {
                    Post("/answer?mode=" + m[0]);
                    Eq(m[1], Throws<SoapSecurityException>(() => c.StartAsync(Se, Feb1, new[] { CprA }).Wait(), m[0]).Message, m[0]);
                }
                Eq(3, ServiceRequests().Count, "requests");
                True(c.StartAsync(Se, Feb1, new[] { CprB }).Result.TransaktionsId != null, "the next answer is taken");
            });
        }

        private static XmlSchemaSet Schemas(string path)
        {
            var set = new XmlSchemaSet { XmlResolver = new XmlUrlResolver() };
            set.Add(null, path);
            set.Compile();
            return set;
        }

        /// <summary>An element's markup with the namespace declarations it inherits.</summary>
        private static string Standalone(XmlElement e) => Signatures.Standalone(e).DocumentElement.OuterXml;

        private static List<string> Validate(XmlSchemaSet set, string xml)
        {
            var findings = new List<string>();
            var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = set };
            settings.ValidationEventHandler += (s, a) => findings.Add(a.Severity + ": " + Redact.Cpr(a.Message));
            using (XmlReader r = XmlReader.Create(new StringReader(xml), settings)) while (r.Read()) { }
            return findings;
        }
    }
}
