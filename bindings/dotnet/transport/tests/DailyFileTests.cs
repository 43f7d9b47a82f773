using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Schema;
using Eindkomst.Transport.DailyFiles;
using static Eindkomst.Transport.Tests.TestRunner;

namespace Eindkomst.Transport.Tests
{
    /// <summary>The daily file through a real OpenSSH sshd (fetched with the OpenSSH sftp client) and from a local folder.</summary>
    internal static class DailyFileTests
    {
        private const string User = "kommune-it-system";

        /// <summary>Records what the processor hands over; checks that every attempt delivers records in Lb_nr order from the start.</summary>
        private sealed class Handler : IDailyFileHandler
        {
            internal readonly List<string> Events = new List<string>();
            internal long Records;
            internal bool FailCommit;
            private int lastLbNr;

            public void Begin(DailyFile file)
            {
                Events.Add("begin " + file.Name);
                Records = 0;
                lastLbNr = 0;
            }

            public void Record(Record r)
            {
                if (r.LbNr <= lastLbNr || (lastLbNr == 0 && r.LbNr != 1)) throw new Failure("record out of order: Lb_nr " + r.LbNr + " after " + lastLbNr);
                lastLbNr = r.LbNr;
                Records++;
            }

            public void Commit(DailyFile file, Counts counts)
            {
                if (FailCommit) throw new IOException("case system database unavailable");
                Events.Add("commit " + file.Name + " " + Records + " records, counted " + counts.Decoded);
            }

            public void Abort(DailyFile file, string why)
            {
                Events.Add("abort " + file.Name + ": " + why);
            }
        }

        private static string In => Path.Combine(Env("EIK_SSHD_ROOT"), "IN");

        private static void Clean()
        {
            foreach (string f in Directory.GetFiles(In)) System.IO.File.Delete(f);
        }

        /// <summary>Serviceplatformen's <c>NAME.metadata</c> (FileMetadata of SFTPTypes.xsd; checked against the schema here).</summary>
        private static string Metadata(string name, long size, string uuid, string recipient = User)
        {
            string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ns2:FileMetadata xmlns:ns2=\"http://serviceplatformen.dk/xml/wsdl/soap11/SFTP/1/types\">"
                + "<FileTransferUUID>" + uuid + "</FileTransferUUID><FileDescriptor><FileName>" + name + "</FileName><SizeInBytes>" + size
                + "</SizeInBytes><Sender>SKAT-eIndkomst</Sender><SendersFileId>" + name + "</SendersFileId><Recipients>" + recipient
                + "</Recipients></FileDescriptor><FileContentDescriptor/></ns2:FileMetadata>\n";
            var set = new XmlSchemaSet();
            set.Add(null, Path.Combine(Repo, "bindings/transport-double/xsd/sftp/SFTPTypes.xsd"));
            var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = set };
            settings.ValidationEventHandler += (s, a) => { throw new Failure("test metadata not valid against SFTPTypes.xsd: " + a.Message); };
            using (XmlReader r = XmlReader.Create(new StringReader(xml), settings)) while (r.Read()) { }
            return xml;
        }

        /// <summary>Puts a data file (and its metadata unless <paramref name="uuid"/> is null) into IN/.</summary>
        private static void Deliver(string name, byte[] bytes, string uuid, long? metaSize = null, string recipient = User, string dir = null)
        {
            dir = dir ?? In;
            System.IO.File.WriteAllBytes(Path.Combine(dir, name), bytes);
            if (uuid != null) System.IO.File.WriteAllText(Path.Combine(dir, name + ".metadata"), Metadata(name, metaSize ?? bytes.Length, uuid, recipient));
        }

        private static byte[] Sample => System.IO.File.ReadAllBytes(Path.Combine(Repo, "testdata/sample.txt"));

        private static string Sha256(byte[] b)
        {
            using (var sha = SHA256.Create()) return BitConverter.ToString(sha.ComputeHash(b)).Replace("-", "").ToLowerInvariant();
        }

        /// <summary>A generated file of <paramref name="records"/> records (the CLI's deterministic generator), cached per size.</summary>
        private static string Generated(int records)
        {
            string path = Path.Combine(Env("EIK_TEST_TMP"), "generated-" + records + ".txt");
            if (!System.IO.File.Exists(path)) Run(Env("EIK_CLI"), "generate --records " + records + " --seed 7 -o " + path, null, 600000);
            return path;
        }

        private static DailyFileProcessor Processor(IDeliveryFolder folder, Handler h, Ledger ledger, string work) =>
            new DailyFileProcessor(folder, h, ledger, work, User);

        private static string Show(IEnumerable<DailyFileOutcome> outcomes) => string.Join(" | ", outcomes.Select(o => o.ToString()));

        internal static void Register()
        {
            Test("dailyfile: a normal day through sshd: decoded, committed, recorded with its SHA-256, then removed", () =>
            {
                Clean();
                string dir = TempDir("day");
                Deliver("D250203.L01", Sample, "9f0e8d7c-0000-4000-8000-000000000001");
                var h = new Handler();
                using (var ledger = new Ledger(Path.Combine(dir, "ledger")))
                {
                    IReadOnlyList<DailyFileOutcome> o = Processor(new OpenSshFolder(), h, ledger, Path.Combine(dir, "work")).Poll();
                    Eq("Done D250203.L01 (27 records)", Show(o), "outcome");
                    Seq(new[] { "begin D250203.L01", "commit D250203.L01 27 records, counted 27" }, h.Events, "handler");
                    Eq(0, Directory.GetFiles(In).Length, "data file and metadata removed");
                    LedgerEntry e = ledger.Last("f:9f0e8d7c-0000-4000-8000-000000000001");
                    Eq("DONE", e.State, "ledger state");
                    Eq(Sha256(Sample), e.Note, "ledger hash");
                    Eq(0, Directory.GetFiles(Path.Combine(dir, "work")).Length, "no part left");
                    Eq(0, Processor(new OpenSshFolder(), h, ledger, Path.Combine(dir, "work")).Poll().Count, "nothing on the next poll");
                }
            });

            Test("dailyfile: a file still being written waits; without metadata it waits, or with StableSize for two equal listings", () =>
            {
                Clean();
                string dir = TempDir("inflight");
                byte[] sample = Sample;
                Deliver("D250204.L01", sample.Take(1000).ToArray(), "9f0e8d7c-0000-4000-8000-000000000002", sample.Length);
                Deliver("D250204.L02", sample.Take(500).ToArray(), null);
                var h = new Handler();
                using (var ledger = new Ledger(Path.Combine(dir, "ledger")))
                {
                    var p = Processor(new OpenSshFolder(), h, ledger, Path.Combine(dir, "work"));
                    Eq("InFlight D250204.L01: 1000 of " + sample.Length + " bytes (0 records) | InFlight D250204.L02: waiting for D250204.L02.metadata (0 records)",
                        Show(p.Poll()), "first poll");
                    Deliver("D250204.L01", sample, "9f0e8d7c-0000-4000-8000-000000000002");
                    Deliver("D250204.L02", sample, null); // still growing
                    p.StableSize = true;
                    Eq("Done D250204.L01 (27 records) | InFlight D250204.L02: size not yet stable (0 records)", Show(p.Poll()), "second poll");
                    Eq("Done D250204.L02 (27 records)", Show(p.Poll()), "third poll: size and time unchanged");
                    Eq(2, h.Events.Count(e => e.StartsWith("commit", StringComparison.Ordinal)), "commits");
                    True(System.IO.File.ReadAllLines(Path.Combine(dir, "ledger")).Any(l => l.Contains("\tDONE\t0\tf:D250204.L02:" + sample.Length + ":")),
                        "without metadata the ledger key is name:size:mtime");
                }
            });

            Test("dailyfile: a damaged file is aborted with the engine's finding, recorded, left on the server and not decoded again", () =>
            {
                Clean();
                string dir = TempDir("damaged");
                string text = Encoding.GetEncoding("ISO-8859-1").GetString(Sample);
                string line10 = text.Split('\n')[9];
                byte[] damaged = Encoding.GetEncoding("ISO-8859-1").GetBytes(text.Replace(line10, line10.Substring(0, 20) + "X" + line10.Substring(21)));
                Deliver("D250205.L01", damaged, "9f0e8d7c-0000-4000-8000-000000000003");
                Deliver("D250205.L02", Sample, "9f0e8d7c-0000-4000-8000-000000000004", Sample.Length - 1);
                var h = new Handler();
                using (var ledger = new Ledger(Path.Combine(dir, "ledger")))
                {
                    var p = Processor(new OpenSshFolder(), h, ledger, Path.Combine(dir, "work"));
                    string why = "rejected: line 10 (Lb_nr 10), record 6001, field 4 Beloeb, offset 731: non-digit in numeric field";
                    Eq("Damaged D250205.L01: " + why + " (26 records) | Damaged D250205.L02: size " + Sample.Length + " exceeds SizeInBytes " + (Sample.Length - 1)
                        + " (0 records)", Show(p.Poll()), "first poll");
                    Seq(new[] { "begin D250205.L01", "abort D250205.L01: " + why }, h.Events, "handler");
                    Eq("DAMAGED", ledger.Last("f:9f0e8d7c-0000-4000-8000-000000000003").State, "ledger");
                    Eq(Sha256(damaged), ledger.Last("f:9f0e8d7c-0000-4000-8000-000000000003").Note, "hash of the damaged bytes");
                    Eq("Damaged D250205.L01: damaged before (see the ledger) (0 records) | Damaged D250205.L02: damaged before (see the ledger) (0 records)",
                        Show(p.Poll()), "second poll");
                    Eq(2, h.Events.Count, "not decoded again");
                    Eq(4, Directory.GetFiles(In).Length, "left on the server");
                }
            });

            Test("dailyfile: a file for another recipient is left alone", () =>
            {
                Clean();
                string dir = TempDir("other");
                Deliver("D250206.L01", Sample, "9f0e8d7c-0000-4000-8000-000000000005", null, "another-it-system");
                var h = new Handler();
                using (var ledger = new Ledger(Path.Combine(dir, "ledger")))
                    Eq("NotForUs D250206.L01: metadata names other recipients (0 records)", Show(Processor(new OpenSshFolder(), h, ledger, Path.Combine(dir, "work")).Poll()), "outcome");
                Eq(0, h.Events.Count, "handler not called");
                Eq(2, Directory.GetFiles(In).Length, "left");
            });

            Test("dailyfile: an interrupted transfer (sshd session killed) keeps the part; the next poll resumes from it", () =>
            {
                Clean();
                string dir = TempDir("resume");
                byte[] bytes = System.IO.File.ReadAllBytes(Generated(60000));
                Deliver("D250207.L01", bytes, "9f0e8d7c-0000-4000-8000-000000000006");
                var h = new Handler();
                using (var ledger = new Ledger(Path.Combine(dir, "ledger")))
                {
                    bool killed = false;
                    var folder = new OpenSshFolder { LimitKbit = 4000 }; // 0.5 MB/s: the kill comes well before the end
                    folder.OnRead = n =>
                    {
                        if (!killed && n >= 1000000)
                        {
                            killed = true;
                            OpenSshFolder.KillSessions();
                        }
                    };
                    var p = Processor(folder, h, ledger, Path.Combine(dir, "work"));
                    DailyFileOutcome first = p.Poll().Single();
                    Eq(DailyFileState.Interrupted, first.State, "first poll: " + first);
                    True(first.Detail.StartsWith("transfer broke off: sftp exited with ", StringComparison.Ordinal), first.Detail);
                    string part = Directory.GetFiles(Path.Combine(dir, "work")).Single();
                    long have = new FileInfo(part).Length;
                    True(have >= 1000000 && have < bytes.Length, "part kept: " + have + " bytes");
                    True(h.Events.Last().StartsWith("abort D250207.L01: transfer broke off", StringComparison.Ordinal), h.Events.Last());
                    folder.OnRead = null;
                    folder.LimitKbit = 0;
                    DailyFileOutcome second = p.Poll().Single();
                    Eq(DailyFileState.Done, second.State, "second poll: " + second);
                    Eq(have, second.ResumedFrom, "resumed from the part");
                    Eq(60000L, second.Records, "every record in the resumed attempt");
                    Eq("commit D250207.L01 60000 records, counted 60000", h.Events.Last(), "commit");
                    Eq(Sha256(bytes), ledger.Last("f:9f0e8d7c-0000-4000-8000-000000000006").Note, "hash of local part + fetched rest = the file's");
                    Eq(0, Directory.GetFiles(In).Length, "removed");
                    Eq(0, Directory.GetFiles(Path.Combine(dir, "work")).Length, "part deleted");
                }
            });

            Test("dailyfile: a crash after the ledger line only removes the file; a failed commit keeps the part and is retried", () =>
            {
                Clean();
                string dir = TempDir("crash");
                Deliver("D250208.L01", Sample, "9f0e8d7c-0000-4000-8000-000000000007");
                Deliver("D250208.L02", Sample, "9f0e8d7c-0000-4000-8000-000000000008");
                var h = new Handler();
                using (var ledger = new Ledger(Path.Combine(dir, "ledger")))
                {
                    ledger.Append("DONE", 0, "f:9f0e8d7c-0000-4000-8000-000000000007", Sha256(Sample), true);
                    h.FailCommit = true;
                    var p = Processor(new OpenSshFolder(), h, ledger, Path.Combine(dir, "work"));
                    Eq("AlreadyDone D250208.L01 (0 records) | Interrupted D250208.L02: commit failed: IOException (27 records)", Show(p.Poll()), "first poll");
                    Eq("abort D250208.L02: commit failed: IOException", h.Events.Last(), "abort");
                    Eq(Sample.Length, new FileInfo(Directory.GetFiles(Path.Combine(dir, "work")).Single()).Length, "the whole file is in the part");
                    h.FailCommit = false;
                    Eq("Done D250208.L02 (27 records, resumed from " + Sample.Length + ")", Show(p.Poll()), "second poll: from the part alone");
                    Eq(0, Directory.GetFiles(In).Length, "both removed");
                }
            });

            Test("dailyfile: a mounted share (LocalFolder) with a done directory", () =>
            {
                string dir = TempDir("share");
                string share = Path.Combine(dir, "IN"), done = Path.Combine(dir, "done");
                Directory.CreateDirectory(share);
                Deliver("D250209.L01", Sample, "9f0e8d7c-0000-4000-8000-000000000009", null, User, share);
                var h = new Handler();
                using (var ledger = new Ledger(Path.Combine(dir, "ledger")))
                    Eq("Done D250209.L01 (27 records)", Show(Processor(new LocalFolder(share, done), h, ledger, Path.Combine(dir, "work")).Poll()), "outcome");
                Eq(0, Directory.GetFiles(share).Length, "moved away");
                Seq(new[] { "D250209.L01", "D250209.L01.metadata" }, Directory.GetFiles(done).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal), "done dir");
            });

            Test("dailyfile: a CPR-like file name or FileTransferUUID is hashed in the ledger and the part's name, masked in outcomes", () =>
            {
                string dir = TempDir("share-no-cpr");
                string share = Path.Combine(dir, "IN"), done = Path.Combine(dir, "done"), work = Path.Combine(dir, "work");
                Directory.CreateDirectory(share);
                // Synthetic CPRs (day + 60): one in the UUID of a file with metadata, one in the name of a file without.
                Deliver("D6101604321.L01", Sample, "9f0e8d7c-0000-4000-8000-d6101604321f", null, User, share);
                Deliver("D6101604322.L02", Sample, null, null, User, share);
                var h = new Handler();
                var outcomes = new List<string>();
                using (var ledger = new Ledger(Path.Combine(dir, "ledger")))
                {
                    var p = new DailyFileProcessor(new LocalFolder(share, done), h, ledger, work, User);
                    outcomes.AddRange(p.Poll().Select(o => o.ToString() + " / " + o.Detail)); // L02 waits for its metadata
                    p.StableSize = true; // then it is taken on two equal listings
                    outcomes.AddRange(p.Poll().Select(o => o.ToString() + " / " + o.Detail));
                }
                Seq(new[] {
                    "Done D**********.L01 (27 records) / ",
                    "InFlight D**********.L02: waiting for D**********.L02.metadata (0 records) / waiting for D**********.L02.metadata",
                    "Done D**********.L02 (27 records) / ",
                }, outcomes, "outcomes over two polls");
                string[] ledgerLines = System.IO.File.ReadAllLines(Path.Combine(dir, "ledger"));
                Eq(2, ledgerLines.Count(l => l.Contains("\tDONE\t")), "two DONE lines");
                True(ledgerLines.All(l => l.Contains("f:sha256:")), "every key hashed");
                var cpr = new System.Text.RegularExpressions.Regex("(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])"); // the timestamps have 13 digits
                var texts = ledgerLines.Concat(outcomes).Concat(Directory.GetFileSystemEntries(work).Select(Path.GetFileName)).ToList();
                foreach (string t in texts) True(!cpr.IsMatch(t), "no CPR-like run in: " + t);
            });

            Test("readme: the daily-file example totals a file on a local share and commits before the clean-up", () =>
            {
                string dir = TempDir("readme-daily");
                string share = Path.Combine(dir, "IN");
                Directory.CreateDirectory(share);
                Deliver("D250211.L01", Sample, "9f0e8d7c-0000-4000-8000-000000000011", null, User, share);
                string summary = Path.Combine(dir, "summary.txt");
                IReadOnlyList<DailyFileOutcome> o = DailyFileExample.PollOnce(share, Path.Combine(dir, "done"), Path.Combine(dir, "work"), Path.Combine(dir, "ledger"), summary, User);
                Eq("Done D250211.L01 (27 records)", Show(o), "outcome");
                // The binding README's own example gives the same total for testdata/sample.txt.
                Eq("D250211.L01: 27 records, 6001 total 6906950 øre\n", System.IO.File.ReadAllText(summary), "summary");
                Eq(0, DailyFileExample.PollOnce(share, Path.Combine(dir, "done"), Path.Combine(dir, "work"), Path.Combine(dir, "ledger"), summary, User).Count, "done");
            });

            Test("dailyfile: a ~100 MB file through sshd and the engine in bounded memory (throughput)", () =>
            {
                Clean();
                string dir = TempDir("big");
                string big = Env("EIK_BIG_FILE"); // eindkomst generate --records 2100000 --seed 7
                long size = new FileInfo(big).Length;
                System.IO.File.Copy(big, Path.Combine(In, "D250210.L01"));
                System.IO.File.WriteAllText(Path.Combine(In, "D250210.L01.metadata"), Metadata("D250210.L01", size, "9f0e8d7c-0000-4000-8000-000000000010"));
                var h = new Handler();
                GC.Collect();
                long before = Process.GetCurrentProcess().WorkingSet64;
                var clock = Stopwatch.StartNew();
                using (var ledger = new Ledger(Path.Combine(dir, "ledger")))
                {
                    DailyFileOutcome o = Processor(new OpenSshFolder(), h, ledger, Path.Combine(dir, "work")).Poll().Single();
                    clock.Stop();
                    Eq(DailyFileState.Done, o.State, "outcome: " + o);
                    Eq(2100000L, o.Records, "records");
                }
                long peak = Process.GetCurrentProcess().PeakWorkingSet64;
                Console.WriteLine("# dailyfile-dotnet: " + (size / 1000000) + " MB file, " + 2100000 + " records via OpenSSH sftp + engine in "
                    + clock.ElapsedMilliseconds + " ms: " + (size / 1000.0 / Math.Max(1, clock.ElapsedMilliseconds)).ToString("F1") + " MB/s; working set "
                    + (before >> 20) + " MiB before, peak " + (peak >> 20) + " MiB");
                True(peak - before < 200L << 20, "memory grew by " + ((peak - before) >> 20) + " MiB");
            });
        }
    }
}
