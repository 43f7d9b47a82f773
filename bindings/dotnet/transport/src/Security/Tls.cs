using System;
using System.Net.Http;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Eindkomst.Transport.Security
{
    /// <summary>
    /// TLS settings of an HTTPS peer (STS, Serviceplatformen): the client certificate to present (the function
    /// certificate; the services require it, the STS does not ask) and whom to trust.
    /// </summary>
    public sealed class Tls
    {
        /// <summary>The certificate (with private key) presented when the server asks for one; null: none.</summary>
        public X509Certificate2 ClientCertificate { get; set; }

        /// <summary>
        /// Trust only server certificates that chain to one of these (e.g. a test CA); null: the system's trust store.
        /// The host name must match either way.
        /// </summary>
        public X509Certificate2Collection TrustedRoots { get; set; }

        /// <summary>TLS with the system's trust and no client certificate.</summary>
        public static Tls Default => new Tls();

        /// <summary>Loads a PKCS#12 file (certificate and key) as a client certificate.</summary>
        public static X509Certificate2 LoadPkcs12(string path, string password)
        {
            return new X509Certificate2(path, password, X509KeyStorageFlags.Exportable);
        }

        /// <summary>An HttpClient over TLS 1.2 with these settings (HTTP/1.1; Mono's handler speaks nothing else).</summary>
        internal HttpClient NewClient(TimeSpan timeout)
        {
            var handler = new HttpClientHandler { SslProtocols = SslProtocols.Tls12, UseCookies = false, AllowAutoRedirect = false };
            if (ClientCertificate != null)
            {
                handler.ClientCertificateOptions = ClientCertificateOption.Manual;
                handler.ClientCertificates.Add(ClientCertificate);
            }
            X509Certificate2Collection roots = TrustedRoots;
            if (roots != null) handler.ServerCertificateCustomValidationCallback = (req, cert, chain, errors) => ChainsTo(cert, errors, roots);
            return new HttpClient(handler, true) { Timeout = timeout };
        }

        /// <summary>True when the only complaint is an unknown root and the chain ends in one of <paramref name="roots"/>.</summary>
        private static bool ChainsTo(X509Certificate2 cert, SslPolicyErrors errors, X509Certificate2Collection roots)
        {
            if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None || cert == null) return false;
            using (var chain = new X509Chain())
            {
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
                chain.ChainPolicy.ExtraStore.AddRange(roots);
                if (!chain.Build(cert)) return false;
                foreach (X509ChainStatus s in chain.ChainStatus)
                    if (s.Status != X509ChainStatusFlags.UntrustedRoot && s.Status != X509ChainStatusFlags.NoError) return false;
                X509Certificate2 root = chain.ChainElements[chain.ChainElements.Count - 1].Certificate;
                foreach (X509Certificate2 r in roots)
                    if (r.Thumbprint == root.Thumbprint) return true;
                return false;
            }
        }
    }
}
