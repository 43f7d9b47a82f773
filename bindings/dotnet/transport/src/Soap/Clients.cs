using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;

namespace Eindkomst.Transport.Soap
{
    /// <summary>
    /// IndkomstAbonnementVedligehold v3: start or stop person subscriptions under an SE-nr
    /// (<c>IndkomstOplysningPersonAbonnementAjourfoer_I</c>, spec 1.3). Every CPR and the SE-nr are checked before
    /// anything is sent (<see cref="InvalidIdentifierException"/>). Thread-safe.
    /// </summary>
    public sealed class IndkomstAbonnementVedligeholdClient
    {
        private readonly SoapEndpoint endpoint;
        private readonly CallContext context;
        private readonly AbonnentAdgang adgang;

        /// <summary>A client.</summary>
        /// <exception cref="ArgumentException"><see cref="AbonnentAdgang.OmfangTekst"/> is missing: SKAT's schema requires it.</exception>
        public IndkomstAbonnementVedligeholdClient(SoapEndpoint endpoint, CallContext context, AbonnentAdgang adgang)
        {
            this.endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
            this.context = context;
            this.adgang = adgang ?? throw new ArgumentNullException(nameof(adgang));
            if (string.IsNullOrWhiteSpace(adgang.OmfangTekst))
                throw new ArgumentException("AbonnentAdgang.OmfangTekst (AbonnentAdgangOmfangTypeTekst) is mandatory", nameof(adgang));
        }

        /// <summary>Subscribes <paramref name="cprs"/> under <paramref name="seNr"/> from <paramref name="date"/> (its date part, as given).</summary>
        public Task<Svar> StartAsync(string seNr, DateTime date, IEnumerable<string> cprs)
        {
            return SendAsync(seNr, true, date, cprs);
        }

        /// <summary>Ends the subscription of <paramref name="cprs"/> under <paramref name="seNr"/> at <paramref name="date"/>.</summary>
        public Task<Svar> StopAsync(string seNr, DateTime date, IEnumerable<string> cprs)
        {
            return SendAsync(seNr, false, date, cprs);
        }

        private async Task<Svar> SendAsync(string seNr, bool start, DateTime date, IEnumerable<string> cprList)
        {
            List<string> cprs = cprList?.ToList() ?? new List<string>();
            if (cprs.Count == 0) throw new ArgumentException("at least one CPR number is needed", nameof(cprList));
            Identifiers.Check(new[] { seNr }, cprs);
            string day = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var personer = new StringBuilder();
            foreach (string c in cprs) personer.Append(SoapCall.Leaf("cpr", "PersonCivilRegistrationIdentifier", c));
            string samling = SoapCall.El("fase2", "PersonSamling", SoapCall.El("fase2", "Person", SoapCall.El("fase2", "PersonListe", personer.ToString())));
            string branch = start
                ? SoapCall.El("fase2", "PersonStartAbonnementSamling", SoapCall.El("fase2", "PersonStart", SoapCall.Leaf("xkom2006", "StartDate", day)) + samling)
                : SoapCall.El("fase2", "PersonSlutAbonnementSamling", SoapCall.El("fase2", "PersonSlut", SoapCall.Leaf("xkom2007", "EndDate", day)) + samling);
            string inddata = SoapCall.El("kombit2017", "PersonIndkomstAbonnementInddata", SoapCall.Adgang(adgang)
                + SoapCall.Leaf("abonnentadgangomfangtype", "AbonnentAdgangOmfangTypeTekst", adgang.OmfangTekst)
                + SoapCall.Se(seNr, "AbonnentVirksomhedStruktur", "AbonnentVirksomhed")
                + SoapCall.El("fase2", "PersonAbonnementSamling", branch));
            SoapCall.Answer a = await SoapCall.CallAsync(endpoint, context, "IndkomstOplysningPersonAbonnementAjourfoer_I",
                "IndkomstOplysningPersonAbonnementAjourfoer_O", inddata).ConfigureAwait(false);
            return new Svar(a.TransaktionsId, a.Advis, null);
        }
    }

    /// <summary>
    /// IndkomstOplysningVirksomhedAbonnentBestil v2: order the income reported by SE-numbers for income months
    /// (<c>IndkomstOplysningVirksomhedAbonnentBestil_I_I</c>, spec 1.4); the data comes later through Beskedfordeler or
    /// the daily file. Thread-safe.
    /// </summary>
    public sealed class IndkomstOplysningVirksomhedAbonnentBestilClient
    {
        private static readonly Regex Month = new Regex("^[0-9]{4}(0[1-9]|1[0-2])$", RegexOptions.CultureInvariant);
        private readonly SoapEndpoint endpoint;
        private readonly CallContext context;
        private readonly AbonnentAdgang adgang;

        /// <summary>A client (<see cref="AbonnentAdgang.OmfangTekst"/> is not sent).</summary>
        public IndkomstOplysningVirksomhedAbonnentBestilClient(SoapEndpoint endpoint, CallContext context, AbonnentAdgang adgang)
        {
            this.endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
            this.context = context;
            this.adgang = adgang ?? throw new ArgumentNullException(nameof(adgang));
        }

        /// <summary>Places the order; the answer's <see cref="Svar.BestillingId"/> is the order id.</summary>
        public async Task<Svar> BestilAsync(Bestilling order)
        {
            if (order == null) throw new ArgumentNullException(nameof(order));
            List<string> reporters = order.IndberetterSeNr?.ToList() ?? new List<string>();
            List<string> cprs = order.Cprs?.ToList() ?? new List<string>();
            if (reporters.Count == 0) throw new ArgumentException("at least one reporting SE-nr is needed", nameof(order));
            if (order.Fra == null || !Month.IsMatch(order.Fra) || (order.Til != null && !Month.IsMatch(order.Til)))
                throw new ArgumentException("months are YYYYMM (Fra required)", nameof(order));
            var seNrs = new List<string> { order.AbonnentSeNr };
            seNrs.AddRange(reporters);
            Identifiers.Check(seNrs, cprs);
            // SKAT's IndkomstPersonVirksomhedStruktur: a choice of Person (a CPR) or Virksomhed.
            var personer = new StringBuilder();
            foreach (string c in cprs)
                personer.Append(SoapCall.El("fase2", "IndkomstPersonVirksomhedStruktur", SoapCall.El("fase2", "PersonVirksomhedValg",
                    SoapCall.El("fase2", "Person", SoapCall.Leaf("cpr", "PersonCivilRegistrationIdentifier", c)))));
            var virksomheder = new StringBuilder();
            foreach (string se in reporters)
            {
                string soeg = SoapCall.Leaf("soegefra", "SoegeAarMaanedFraKode", order.Fra)
                    + (order.Til != null ? SoapCall.Leaf("soegetil", "SoegeAarMaanedTilKode", order.Til) : "");
                virksomheder.Append(SoapCall.El("fase2", "IndkomstVirksomhed",
                    SoapCall.El("fase2", "IndkomstVirksomhedOplysningAabenSoegeStruktur",
                        SoapCall.Se(se, "IndberetningPligtigVirksomhedStruktur", "IndberetningPligtigVirksomhed")
                        + SoapCall.El("fase2", "SoegeAarMaanedAabenStruktur", soeg))
                    + SoapCall.El("fase2", "PersonVirksomhedValg", personer.ToString())));
            }
            string abonnent = SoapCall.El("fase2", "AbonnentStruktur",
                SoapCall.Se(order.AbonnentSeNr, "AbonnentVirksomhedStruktur", "AbonnentVirksomhed")
                + (order.MedarbejderId != null ? SoapCall.Leaf("medarbejder", "IndkomstOplysningAdgangMedarbejderIdentifikator", order.MedarbejderId) : ""));
            string inddata = SoapCall.El("kombit2017", "IndkomstOplysningVirksomhedAbonnentBestilInddata",
                SoapCall.Adgang(adgang)
                + SoapCall.El("fase2", "AbonnentSamling", SoapCall.El("fase2", "Abonnent",
                    abonnent + SoapCall.El("fase2", "IndkomstSoegeValg", SoapCall.El("fase2", "IndkomstVirksomhedSamling", virksomheder.ToString())))));
            SoapCall.Answer a = await SoapCall.CallAsync(endpoint, context, "IndkomstOplysningVirksomhedAbonnentBestil_I_I",
                "IndkomstOplysningVirksomhedAbonnentBestil_I_O", inddata).ConfigureAwait(false);
            string id = SafeXml.Text(SafeXml.Child(SafeXml.Child(a.Root, Ns.Kombit, "IndkomstOplysningVirksomhedAbonnentBestilUddata"), Ns.Bestilling,
                "AbonnentBestillingIdentifikator"));
            if (string.IsNullOrEmpty(id)) throw new SoapTransportException("answer without AbonnentBestillingIdentifikator");
            return new Svar(a.TransaktionsId, a.Advis, id);
        }
    }
}
