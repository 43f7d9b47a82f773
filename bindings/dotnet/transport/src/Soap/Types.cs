using System;
using System.Collections.Generic;
using System.Net.Http;
using Eindkomst.Transport.Security;

namespace Eindkomst.Transport.Soap
{
    /// <summary>
    /// Where and how a service is called. SOAPAction and the entity id (in <see cref="Security"/>) are configuration
    /// without defaults: KOMBIT's SF0770_E WSDLs are not public (docs/transports.md section 6). Dispose it when done
    /// (it owns an HttpClient).
    /// </summary>
    public sealed class SoapEndpoint : IDisposable
    {
        private readonly Lazy<HttpClient> http;

        /// <summary>An endpoint.</summary>
        /// <param name="address">The service URL, e.g. https://exttest.serviceplatformen.dk/service/SKAT/IndkomstAbonnementVedligehold/3.</param>
        /// <param name="soapAction">The operation's SOAPAction from KOMBIT's SF0770_E package.</param>
        /// <param name="security">WS-Security on every call (required), e.g. <see cref="TokenSecurity"/>.</param>
        /// <param name="tls">The function certificate as TLS client certificate, and the trust; null: system trust, no client certificate.</param>
        public SoapEndpoint(Uri address, string soapAction, ISoapSecurity security, Tls tls = null)
        {
            Address = address ?? throw new ArgumentNullException(nameof(address));
            if (string.IsNullOrEmpty(soapAction)) throw new ArgumentException("the SOAPAction is required (no default)", nameof(soapAction));
            SoapAction = soapAction;
            Security = security ?? throw new ArgumentNullException(nameof(security), "WS-Security is required on every call");
            Tls t = tls ?? Tls.Default;
            http = new Lazy<HttpClient>(() => t.NewClient(Timeout));
        }

        /// <summary>The service URL.</summary>
        public Uri Address { get; }
        /// <summary>The SOAPAction (also sent as wsa:Action).</summary>
        public string SoapAction { get; }
        /// <summary>WS-Security of every call.</summary>
        public ISoapSecurity Security { get; }
        /// <summary>Timeout of one call (default 30 s); set it before the first call.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

        internal HttpClient Http => http.Value;

        /// <summary>Disposes the HTTP client.</summary>
        public void Dispose()
        {
            if (http.IsValueCreated) http.Value.Dispose();
        }
    }

    /// <summary>The call context of <c>kontekst:HovedOplysninger</c>; every part is optional (null: not sent).</summary>
    public sealed class CallContext
    {
        /// <summary>The user in the calling system (≤ 255 characters).</summary>
        public string OnBehalfOfUser { get; set; }
        /// <summary>The caller's own id of the call (≤ 255).</summary>
        public string CallersServiceCallIdentifier { get; set; }
        /// <summary>Accounting information (≤ 255).</summary>
        public string AccountingInfo { get; set; }
        /// <summary>The municipality's CVR, 8 digits (AuthorityContext/MunicipalityCVR).</summary>
        public string MunicipalityCvr { get; set; }
    }

    /// <summary>
    /// The codes of the subscription agreement with SKAT (<c>AbonnentAdgangStruktur</c>), all from the agreement, no
    /// defaults. <see cref="OmfangTekst"/> (<c>AbonnentAdgangOmfangTypeTekst</c>) is mandatory in SKAT's Ajourfoer schema;
    /// Bestil does not send it.
    /// </summary>
    public sealed class AbonnentAdgang
    {
        /// <summary>The agreement's codes.</summary>
        /// <exception cref="ArgumentException">A code that is not 1-9 digits.</exception>
        public AbonnentAdgang(string abonnentTypeKode, string abonnementTypeKode, string adgangFormaalTypeKode, string omfangTekst)
        {
            AbonnentTypeKode = Code(abonnentTypeKode, nameof(abonnentTypeKode));
            AbonnementTypeKode = Code(abonnementTypeKode, nameof(abonnementTypeKode));
            AdgangFormaalTypeKode = Code(adgangFormaalTypeKode, nameof(adgangFormaalTypeKode));
            OmfangTekst = omfangTekst;
        }

        /// <summary>AbonnentTypeKode.</summary>
        public string AbonnentTypeKode { get; }
        /// <summary>AbonnementTypeKode.</summary>
        public string AbonnementTypeKode { get; }
        /// <summary>AdgangFormaalTypeKode.</summary>
        public string AdgangFormaalTypeKode { get; }
        /// <summary>AbonnentAdgangOmfangTypeTekst (its values are not public: from the agreement).</summary>
        public string OmfangTekst { get; }

        private static string Code(string v, string name)
        {
            if (v == null || v.Length < 1 || v.Length > 9) throw new ArgumentException(name + " must be 1-9 digits", name);
            foreach (char c in v)
                if (c < '0' || c > '9') throw new ArgumentException(name + " must be 1-9 digits", name);
            return v;
        }
    }

    /// <summary>Fejl (business error) or Advis (notice) of <c>SvarReaktion</c>.</summary>
    public enum ReaktionArt
    {
        /// <summary>The request was not carried out.</summary>
        Fejl,
        /// <summary>Carried out, with a notice.</summary>
        Advis,
    }

    /// <summary>One <c>SvarReaktion</c>, verbatim.</summary>
    public sealed class Reaktion
    {
        internal Reaktion(ReaktionArt art, string id, string tekst, string kildeId)
        {
            Art = art;
            Id = id;
            Tekst = tekst;
            KildeId = kildeId;
        }

        /// <summary>Fejl or Advis.</summary>
        public ReaktionArt Art { get; }
        /// <summary>FejlId / AdvisId.</summary>
        public string Id { get; }
        /// <summary>FejlTekst / AdvisTekst (verbatim: may hold personal data; mask before logging).</summary>
        public string Tekst { get; }
        /// <summary>Who raised it (Serviceplatformen, SKAT), or null.</summary>
        public string KildeId { get; }

        /// <summary>"ADVIS 210 from SKAT: …" with CPR-like digits masked.</summary>
        public override string ToString()
        {
            return (Art == ReaktionArt.Fejl ? "FEJL " : "ADVIS ") + Id + (KildeId != null ? " from " + KildeId : "") + ": " + Redact.Cpr(Tekst);
        }
    }

    /// <summary>A successful answer: the echoed TransaktionsId, the Advis reactions, and for an order its id.</summary>
    public sealed class Svar
    {
        internal Svar(string transaktionsId, IReadOnlyList<Reaktion> advis, string bestillingId)
        {
            TransaktionsId = transaktionsId;
            Advis = advis;
            BestillingId = bestillingId;
        }

        /// <summary>The request's TransaktionsId, echoed by the service.</summary>
        public string TransaktionsId { get; }
        /// <summary>Notices (no Fejl: those throw <see cref="FejlSvarException"/>).</summary>
        public IReadOnlyList<Reaktion> Advis { get; }
        /// <summary>Bestil: <c>AbonnentBestillingIdentifikator</c>; Vedligehold: null.</summary>
        public string BestillingId { get; }
    }

    /// <summary>An order for IndkomstOplysningVirksomhedAbonnentBestil: income months reported by SE-numbers.</summary>
    public sealed class Bestilling
    {
        /// <summary>The subscriber's SE-nr (8 digits).</summary>
        public string AbonnentSeNr { get; set; }
        /// <summary>The caseworker's id (IndkomstOplysningAdgangMedarbejderIdentifikator); optional.</summary>
        public string MedarbejderId { get; set; }
        /// <summary>The reporting SE-nrs, at least one.</summary>
        public IList<string> IndberetterSeNr { get; set; } = new List<string>();
        /// <summary>First income month, YYYYMM (required).</summary>
        public string Fra { get; set; }
        /// <summary>Last income month, YYYYMM; optional.</summary>
        public string Til { get; set; }
        /// <summary>Only these persons; empty: all.</summary>
        public IList<string> Cprs { get; set; } = new List<string>();
    }

    /// <summary>Base of every SOAP failure; messages never hold CPR numbers.</summary>
    public class SoapException : Exception
    {
        internal SoapException(string message, Exception inner = null) : base(message, inner)
        {
        }
    }

    /// <summary>An identifier was rejected before anything was sent (by the engine, or a CPR by SKAT's type).</summary>
    public sealed class InvalidIdentifierException : SoapException
    {
        internal InvalidIdentifierException(string field, int index, string code, string by)
            : base(field + " #" + (index + 1) + " rejected by " + by + ": " + code)
        {
            Field = field;
            Index = index;
            Code = code;
        }

        /// <summary>"CPR" or "SE-nr".</summary>
        public string Field { get; }
        /// <summary>0-based position in the call's list of that field.</summary>
        public int Index { get; }
        /// <summary>The engine's finding code (<c>not_digit</c>, <c>wrong_length</c>, <c>no_identity</c>, …) or <c>not_a_date</c>.</summary>
        public string Code { get; }
    }

    /// <summary>The service answered with one or more Fejl.</summary>
    public sealed class FejlSvarException : SoapException
    {
        internal FejlSvarException(string transaktionsId, IReadOnlyList<Reaktion> reaktioner, IReadOnlyList<Reaktion> fejl)
            // All of it masked, FejlId and KildeId too: every part is the peer's text (found by tests/XmlFuzzTests.cs).
            : base(Redact.Cpr("service answered with Fejl: " + string.Join("; ", Texts(fejl))))
        {
            TransaktionsId = transaktionsId;
            Reaktioner = reaktioner;
            Fejl = fejl;
        }

        /// <summary>The echoed TransaktionsId.</summary>
        public string TransaktionsId { get; }
        /// <summary>Every reaction, in order.</summary>
        public IReadOnlyList<Reaktion> Reaktioner { get; }
        /// <summary>The Fejl among them.</summary>
        public IReadOnlyList<Reaktion> Fejl { get; }

        private static IEnumerable<string> Texts(IEnumerable<Reaktion> fejl)
        {
            foreach (Reaktion r in fejl) yield return r.Id + (r.KildeId != null ? " from " + r.KildeId : "") + ": " + r.Tekst;
        }
    }

    /// <summary>One <c>ServiceplatformFault/ErrorList/Error</c>.</summary>
    public sealed class PlatformError
    {
        internal PlatformError(string errorCode, string errorText)
        {
            ErrorCode = errorCode;
            ErrorText = errorText;
        }

        /// <summary>ErrorCode.</summary>
        public string ErrorCode { get; }
        /// <summary>ErrorText, verbatim.</summary>
        public string ErrorText { get; }
    }

    /// <summary>A soap:Fault, with the ServiceplatformFault errors when present. Typed fields are verbatim; the message is masked.</summary>
    public sealed class ServiceplatformFaultException : SoapException
    {
        internal ServiceplatformFaultException(int httpStatus, string faultCode, string faultString, IReadOnlyList<PlatformError> errors)
            // All of it masked, the code too: every part is the peer's text (the Java and Node transports' XML fuzz
            // tests found an unmasked faultcode / ErrorCode there).
            : base(Redact.Cpr("SOAP fault " + faultCode + " (HTTP " + httpStatus + "): " + faultString + Details(errors)))
        {
            HttpStatus = httpStatus;
            FaultCode = faultCode;
            FaultString = faultString;
            Errors = errors;
        }

        /// <summary>The HTTP status (500 for a fault).</summary>
        public int HttpStatus { get; }
        /// <summary>faultcode, e.g. <c>soap:Client</c>.</summary>
        public string FaultCode { get; }
        /// <summary>faultstring, verbatim.</summary>
        public string FaultString { get; }
        /// <summary>The platform's errors.</summary>
        public IReadOnlyList<PlatformError> Errors { get; }

        private static string Details(IEnumerable<PlatformError> errors)
        {
            string s = "";
            foreach (PlatformError e in errors) s += " [" + e.ErrorCode + " " + Redact.Cpr(e.ErrorText) + "]";
            return s;
        }
    }

    /// <summary>No usable answer: network error, timeout, unexpected status or shape.</summary>
    public sealed class SoapTransportException : SoapException
    {
        internal SoapTransportException(string message, Exception inner = null) : base(message, inner)
        {
        }
    }

    /// <summary>WS-Security failed: no token, the request could not be signed, or the answer's signature was missing or wrong.</summary>
    public sealed class SoapSecurityException : SoapException
    {
        internal SoapSecurityException(string message, Exception inner = null) : base(message, inner)
        {
        }
    }
}
