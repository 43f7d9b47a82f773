using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Eindkomst.Transport.Beskedfordeler;
using Eindkomst.Transport.DailyFiles;
using Eindkomst.Transport.Security;
using Eindkomst.Transport.Soap;
using static Eindkomst.Transport.Tests.TestRunner;

namespace Eindkomst.Transport.Tests
{
    /// <summary>
    /// The transports' XML readers under mutated messages, as the Java (XmlFuzzTest, AnswerFuzzTest, MetadataFuzzTest)
    /// and Node (test/xml-fuzz.js) transports test theirs, with the same mutator (<see cref="XmlMutator"/>): the
    /// Beskedfordeler envelope reader, the SFTP metadata reader and the SOAP answer reader (past the signature check: a
    /// test security accepts every answer). Each input is read or refused with the reader's own exception, nothing else
    /// is thrown, no refusal text holds a CPR, nothing external is resolved. Fixed seeds: the same inputs every run.
    /// </summary>
    internal static class XmlFuzzTests
    {
        private const int N = 3000;

        internal static void Register()
        {
            Test("xml-fuzz: mutated envelopes are read or refused as bad, invalid or without BeskedId, without a leak", () =>
            {
                string dir = TempDir("xml-fuzz-envelope");
                var seeds = Directory.GetFiles(Path.Combine(Repo, "testdata/beskedfordeler"), "*.xml").OrderBy(f => f, StringComparer.Ordinal)
                    .Select(File.ReadAllBytes).ToList();
                var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
                using (var m = new XmlMutator(19, seeds, dir))
                {
                    for (int i = 0; i < N; i++)
                    {
                        byte[] input = m.Next();
                        try
                        {
                            Envelope e = Envelope.Read(input, i % 4 == 0);
                            Count(counts, "read");
                            foreach (Payload p in e.Payloads) True(!(p.Base64Text ?? "").Contains(XmlMutator.Marker), "an external entity was resolved; " + Show(input));
                        }
                        catch (EnvelopeException e)
                        {
                            Count(counts, e.Code);
                            NoLeak(e.Message, input);
                        }
                        catch (Exception e)
                        {
                            throw new Failure("threw " + e + "; " + Show(input));
                        }
                    }
                    Eq(0, m.Connections, "connections to the canary server");
                }
                Console.WriteLine("xml-fuzz-dotnet: " + N + " envelopes " + string.Join(", ", counts.Select(c => c.Key + " " + c.Value)));
                foreach (string k in new[] { "read", "bad_envelope", "invalid_envelope" }) True(counts.ContainsKey(k), "no \"" + k + "\" among the outcomes");
            });

            Test("xml-fuzz: mutated SFTP metadata is read or refused as not readable, without a leak", () =>
            {
                string dir = TempDir("xml-fuzz-metadata");
                Func<string, long, byte[]> meta = (uuid, size) => Encoding.UTF8.GetBytes(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FileMetadata xmlns=\"http://serviceplatformen.dk/xml/wsdl/soap11/SFTP/1/types\">"
                    + "<FileTransferUUID>" + uuid + "</FileTransferUUID><FileDescriptor><FileName>eindkomst.txt</FileName><SizeInBytes>" + size
                    + "</SizeInBytes><Sender>SKAT_EINDKOMST</Sender><Recipients>kommune</Recipients></FileDescriptor><FileContentDescriptor/></FileMetadata>\n");
                var seeds = new List<byte[]>
                {
                    meta("7a1c2e3f-4b5d-4e6f-8a9b-0c1d2e3f4a5b", 4711), meta("0101604321", 123),
                    Encoding.UTF8.GetBytes("<Trigger><SizeInBytes>1</SizeInBytes></Trigger>"),
                };
                int read = 0, refused = 0;
                using (var m = new XmlMutator(20, seeds, dir))
                {
                    for (int i = 0; i < N; i++)
                    {
                        byte[] input = m.Next();
                        try
                        {
                            FileMetadata md = FileMetadata.Parse(input);
                            read++;
                            True(md.SizeInBytes >= 0, "size " + md.SizeInBytes);
                            True(!(md.FileTransferUuid ?? "").Contains(XmlMutator.Marker) && !md.Recipients.Any(r => r.Contains(XmlMutator.Marker)),
                                "an external entity was resolved; " + Show(input));
                        }
                        catch (FormatException e)
                        {
                            refused++;
                            NoLeak(e.Message, input);
                        }
                        catch (Exception e)
                        {
                            throw new Failure("threw " + e + "; " + Show(input));
                        }
                    }
                    Eq(0, m.Connections, "connections to the canary server");
                }
                Console.WriteLine("xml-fuzz-dotnet: " + N + " metadata files: read " + read + ", refused " + refused);
                True(read > 0 && refused > 0, "read " + read + ", refused " + refused);
            });

            Test("xml-fuzz: mutated SOAP answers are read or refused as SOAP errors, without a leak", () =>
            {
                string dir = TempDir("xml-fuzz-answer");
                const string sent = "5b6c1a52-6d4e-4c61-9f1f-0d2a7c9e3b10";
                const string k = "http://kombit.dk/xml/schemas/kontekst/2017/01/01/";
                string fejl = "<SvarReaktion xmlns=\"" + k + "\"><Fejl><FejlId>0101604321</FejlId><FejlTekst>CPR 010160-4321 findes ikke</FejlTekst>"
                    + "<KildeId>3112609999</KildeId></Fejl></SvarReaktion>\n";
                string advis = "<SvarReaktion xmlns=\"" + k + "\"><Advis><AdvisId>311260-9999</AdvisId><AdvisTekst>se 0101604321</AdvisTekst></Advis></SvarReaktion>\n";
                string templates = Path.Combine(Repo, "bindings/transport-double/src/main/resources/dk/eindkomst/transportdouble");
                var seeds = new List<byte[]>();
                foreach (string f in new[] { "bestil-ok.xml", "ajourfoer-ok.xml", "fault.xml" })
                {
                    string t = File.ReadAllText(Path.Combine(templates, f));
                    foreach (string r in new[] { "", fejl, advis, advis + fejl })
                    {
                        string x = t.Replace("${TransaktionsId}", sent).Replace("${SvarReaktion}", r);
                        seeds.Add(Encoding.UTF8.GetBytes(Regex.Replace(x, @"\$\{\w+\}", "urn:x:0101604321 (310160-1234)")));
                    }
                }
                var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
                using (var endpoint = new SoapEndpoint(new Uri("https://127.0.0.1:9/x"), "urn:x", new AcceptEveryAnswer()))
                using (var m = new XmlMutator(2017, seeds, dir))
                {
                    for (int i = 0; i < N; i++)
                    {
                        byte[] input = m.Next();
                        string root = i % 2 == 1 ? "IndkomstOplysningVirksomhedAbonnentBestil_I_O" : "IndkomstOplysningPersonAbonnementAjourfoer_O";
                        string text;
                        try
                        {
                            SoapCall.Answer a = SoapCall.Read(endpoint, i % 5 == 0 ? 500 : 200, input, root, sent, "urn:uuid:x");
                            Count(counts, "read");
                            // The Advis texts are the service's answer to the caller (data, not a message): only the canary.
                            text = Regex.Replace(string.Join(" ", a.Advis.Select(r => r.Id + " " + r.Tekst + " " + r.KildeId)), "[0-9]", "#");
                        }
                        catch (SoapException e) when (!(e is SoapSecurityException))
                        {
                            Count(counts, e.GetType().Name);
                            text = e.Message + " " + e;
                        }
                        catch (Exception e)
                        {
                            throw new Failure("threw " + e + "; " + Show(input));
                        }
                        NoLeak(text, input);
                    }
                    Eq(0, m.Connections, "connections to the canary server");
                }
                Console.WriteLine("xml-fuzz-dotnet: " + N + " answers " + string.Join(", ", counts.Select(c => c.Key + " " + c.Value)));
                foreach (string c in new[] { "read", "FejlSvarException", "ServiceplatformFaultException", "SoapTransportException" })
                    True(counts.ContainsKey(c), "no \"" + c + "\" among the outcomes");
            });
        }

        /// <summary>Accepts every answer: the readers behind the signature check are what is fuzzed.</summary>
        private sealed class AcceptEveryAnswer : ISoapSecurity
        {
            public Task<byte[]> SecureAsync(byte[] envelope) => Task.FromResult(envelope);

            public void VerifyAnswer(byte[] answer, bool fault)
            {
            }
        }

        private static void Count(IDictionary<string, int> counts, string key)
        {
            counts.TryGetValue(key, out int n);
            counts[key] = n + 1;
        }

        private static void NoLeak(string text, byte[] input)
        {
            string leak = XmlMutator.Leak(text);
            if (leak != null) throw new Failure("a refusal with " + leak + ": " + text + "; " + Show(input));
        }

        private static string Show(byte[] input) => "input (Base64): " + Convert.ToBase64String(input, 0, Math.Min(input.Length, 4000));
    }

    /// <summary>
    /// A reproducible mutator of valid captured XML messages (the operations of the Java and Node transports'
    /// mutators): byte flips, truncation, deleted and repeated slices, a duplicated element, characters that matter to
    /// XML, a huge attribute, synthetic CPRs planted in texts and attributes, and entity tricks (a DTD with external
    /// entities to a canary file and a loopback canary server, entity expansion, XInclude, a schemaLocation on the
    /// canary server). The canaries prove that nothing external is resolved.
    /// </summary>
    internal sealed class XmlMutator : IDisposable
    {
        internal static readonly string[] Cprs = { "0101604321", "010160-4321", "3112609999", "311260-9999" };
        internal const string Marker = "XXE-CANARY-5e1d";
        private static readonly Regex CprLike = new Regex("(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])", RegexOptions.CultureInvariant);
        private static readonly Regex Values = new Regex(">([^<]*[^<\\s][^<]*)<", RegexOptions.CultureInvariant);
        // Placeholders for the canaries' URLs, replaced after mutating: the inputs do not depend on the temporary
        // directory's name or the port.
        private const string CanaryFile = "@canary-file@";
        private const string CanaryHttp = "@canary-http@";
        private static readonly string[] Bits =
        {
            "<", ">", "&", "&amp;", "&#0;", "&#x110000;", "]]>", "<![CDATA[", "\"", "'", "=", "</", "/>", "<?pi x?>", "<!-- -->",
            "\u0000", "\u00ff", "\r\n", "xmlns=\"\"", "xmlns:sd=\"urn:x\"",
        };
        private static readonly Encoding Latin1 = Encoding.GetEncoding("ISO-8859-1");

        private readonly List<string> texts;
        private readonly string fileUrl, httpUrl;
        private readonly TcpListener server;
        private readonly Thread acceptor;
        private int connections;
        private ulong x;

        internal XmlMutator(long seed, IEnumerable<byte[]> seeds, string dir)
        {
            texts = seeds.Select(b => Latin1.GetString(b)).ToList();
            string canary = Path.Combine(dir, "canary.txt");
            File.WriteAllText(canary, Marker);
            fileUrl = new Uri(canary).AbsoluteUri;
            server = new TcpListener(IPAddress.Loopback, 0);
            server.Start();
            httpUrl = "http://127.0.0.1:" + ((IPEndPoint)server.LocalEndpoint).Port + "/x";
            acceptor = new Thread(() =>
            {
                try
                {
                    for (;;)
                    {
                        server.AcceptTcpClient().Close();
                        Interlocked.Increment(ref connections);
                    }
                }
                catch (SocketException)
                {
                    // stopped
                }
                catch (ObjectDisposedException)
                {
                    // stopped
                }
            }) { IsBackground = true };
            acceptor.Start();
            x = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL) | 1UL;
        }

        /// <summary>Connections the canary server took.</summary>
        internal int Connections => Volatile.Read(ref connections);

        /// <summary>What <paramref name="text"/> leaks (a CPR-like run, a planted CPR, the canary file's content), or null.</summary>
        internal static string Leak(string text)
        {
            if (text == null) return null;
            if (CprLike.IsMatch(text)) return "a CPR-like number";
            string c = Cprs.FirstOrDefault(text.Contains);
            if (c != null) return "the planted CPR " + c;
            return text.Contains(Marker) ? "the canary file's content" : null;
        }

        /// <summary>The next input: a seed mutated one to four times.</summary>
        internal byte[] Next()
        {
            string s = texts[Int(texts.Count)];
            for (int n = 1 + Int(4); n > 0; n--) s = Mutate(s);
            return Latin1.GetBytes(s.Replace(CanaryFile, fileUrl).Replace(CanaryHttp, httpUrl));
        }

        public void Dispose()
        {
            server.Stop();
            acceptor.Join(5000);
        }

        // xorshift64
        private int Int(int n)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            return (int)((x >> 11) % (ulong)n);
        }

        private int At(string s) => Int(s.Length + 1);

        private static bool NameEnd(char c) => c == ' ' || c == '\t' || c == '\n' || c == '/' || c == '>';

        private int InStartTag(string s)
        {
            for (int tries = 0; tries < 8; tries++)
            {
                int lt = s.IndexOf('<', Math.Min(At(s), s.Length));
                if (lt < 0 || lt + 1 >= s.Length || "/?!".IndexOf(s[lt + 1]) >= 0) continue;
                int end = lt + 1;
                while (end < s.Length && !NameEnd(s[end])) end++;
                return end;
            }
            return -1;
        }

        private static int RootStart(string s) => s.StartsWith("<?xml", StringComparison.Ordinal) ? Math.Max(s.IndexOf("?>", StringComparison.Ordinal) + 2, 0) : 0;

        private string Mutate(string s)
        {
            int p = At(s);
            switch (Int(12))
            {
                case 0:
                {
                    char[] c = s.ToCharArray();
                    for (int k = 1 + Int(4); k > 0 && c.Length > 0; k--) c[Int(c.Length)] = (char)Int(256);
                    return new string(c);
                }
                case 1:
                    return s.Substring(0, p);
                case 2:
                    return s.Substring(0, p) + s.Substring(Math.Min(s.Length, p + Int(64)));
                case 3:
                {
                    int lt = s.IndexOf('<', Math.Min(p, s.Length));
                    if (lt < 0 || lt + 1 >= s.Length || "/?!".IndexOf(s[lt + 1]) >= 0) return s;
                    int ne = lt + 1;
                    while (ne < s.Length && !NameEnd(s[ne])) ne++;
                    string close = "</" + s.Substring(lt + 1, ne - lt - 1) + ">";
                    int end = s.IndexOf(close, ne, StringComparison.Ordinal);
                    if (end < 0) return s;
                    end += close.Length;
                    return s.Substring(0, end) + s.Substring(lt, end - lt) + s.Substring(end);
                }
                case 4:
                    return s.Substring(0, p) + Bits[Int(Bits.Length)] + s.Substring(p);
                case 5:
                {
                    int t = InStartTag(s);
                    return t < 0 ? s : s.Substring(0, t) + " big=\"" + new string('A', 1 + Int(200000)) + "\"" + s.Substring(t);
                }
                case 6:
                {
                    string cpr = Cprs[Int(Cprs.Length)];
                    int t = InStartTag(s);
                    if (Int(2) == 1 && t >= 0) return s.Substring(0, t) + " x=\"" + cpr + "\"" + s.Substring(t);
                    // A value (a text that is not only blanks) replaced, so that refusals which quote a value get to quote a CPR.
                    MatchCollection values = Values.Matches(s);
                    if (values.Count == 0) return s.Substring(0, p) + cpr + s.Substring(p);
                    Group v = values[Int(values.Count)].Groups[1];
                    return s.Substring(0, v.Index) + (Int(2) == 1 ? cpr : "urn:cpr:" + cpr) + s.Substring(v.Index + v.Length);
                }
                case 7:
                {
                    int r = RootStart(s);
                    string dtd = "<!DOCTYPE r [<!ENTITY f SYSTEM \"" + CanaryFile + "\"><!ENTITY h SYSTEM \"" + CanaryHttp + "\"><!ENTITY % p SYSTEM \""
                        + CanaryHttp + "\">%p;]>";
                    string w = s.Substring(0, r) + dtd + s.Substring(r);
                    int from = r + dtd.Length + Int(Math.Max(1, w.Length - r - dtd.Length));
                    int gt = from < w.Length ? w.IndexOf('>', from) : -1;
                    return gt < 0 ? w : w.Substring(0, gt + 1) + "&f;&h;" + w.Substring(gt + 1);
                }
                case 8:
                {
                    int r = RootStart(s);
                    var d = new StringBuilder("<!DOCTYPE r [<!ENTITY a0 \"lol\">");
                    for (int i = 1; i < 10; i++) d.Append("<!ENTITY a" + i + " \"" + string.Concat(Enumerable.Repeat("&a" + (i - 1) + ";", 10)) + "\">");
                    d.Append("]>");
                    int from = Math.Max(r, p);
                    int gt = from < s.Length ? s.IndexOf('>', from) : -1;
                    string body = gt < 0 ? s : s.Substring(0, gt + 1) + "&a9;" + s.Substring(gt + 1);
                    return body.Substring(0, r) + d + body.Substring(r);
                }
                case 9:
                {
                    int t = InStartTag(s);
                    int gt = t < 0 ? -1 : s.IndexOf('>', t);
                    if (gt < 0) return s;
                    return s.Substring(0, t) + " xmlns:xi=\"http://www.w3.org/2001/XInclude\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
                        + " xsi:schemaLocation=\"urn:oio:besked:kuvert:1.0 " + CanaryHttp + "\"" + s.Substring(t, gt + 1 - t)
                        + "<xi:include href=\"" + CanaryFile + "\" parse=\"text\"/>" + s.Substring(gt + 1);
                }
                case 10:
                {
                    string o = texts[Int(texts.Count)];
                    int a = At(o);
                    return s.Substring(0, p) + o.Substring(a, Math.Min(o.Length, a + Int(400)) - a) + s.Substring(p);
                }
                default:
                {
                    int q = Math.Min(s.Length, p + Int(200));
                    return s.Substring(0, q) + string.Concat(Enumerable.Repeat(s.Substring(p, q - p), 1 + Int(20))) + s.Substring(q);
                }
            }
        }
    }
}
