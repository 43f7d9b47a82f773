using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using System.Xml;
using System.Xml.Schema;
using Eindkomst.Transport.Beskedfordeler;
using RabbitMQ.Client;
using static Eindkomst.Transport.Tests.TestRunner;

namespace Eindkomst.Transport.Tests
{
    /// <summary>Beskedfordeler: the receiving core on the captured envelopes, the ledger, REST, and a real RabbitMQ.</summary>
    internal static class BeskedTests
    {
        /// <summary>The envelopes (captured from a real RabbitMQ by testdata/capture.sh) and their expected outcomes.</summary>
        private static string Dir => Path.Combine(Repo, "bindings/dotnet/transport/testdata/beskedfordeler");

        private static byte[] File(string name) => System.IO.File.ReadAllBytes(Path.Combine(Dir, name));

        /// <summary>The records of testdata/sample.txt decoded directly: line number and bytes of each.</summary>
        private static List<string> SampleRecords()
        {
            using (var r = new EindkomstReader(System.IO.File.OpenRead(Path.Combine(Repo, "testdata/sample.txt"))))
                return r.Select(Show).ToList();
        }

        private static string Show(Record r) => r.Line + ":" + Encoding.GetEncoding("ISO-8859-1").GetString(r.GetBytes());

        private static Dictionary<string, string> MessageIds()
        {
            return System.IO.File.ReadAllLines(Path.Combine(Dir, "message-ids.tsv")).Where(l => !l.StartsWith("#", StringComparison.Ordinal))
                .Select(l => l.Split('\t')).ToDictionary(p => p[0], p => p[1]);
        }

        internal static void Register()
        {
            Test("beskedfordeler: every captured envelope gets the outcome, code, records and reason of expected.tsv", () =>
            {
                Dictionary<string, string> ids = MessageIds();
                List<string> sample = SampleRecords();
                int rows = 0;
                foreach (string line in System.IO.File.ReadAllLines(Path.Combine(Dir, "expected.tsv")))
                {
                    if (line.StartsWith("#", StringComparison.Ordinal) || line.Trim().Length == 0) continue;
                    string[] c = line.Split('\t');
                    string file = c[0], channel = c[1], outcome = c[2], code = c[3], beskedId = c[5], reason = c[6];
                    int records = int.Parse(c[4]);
                    using (var ledger = new Ledger(Path.Combine(TempDir("expected"), "ledger")))
                    {
                        var got = new List<Record>();
                        var receiver = new BeskedReceiver(ledger, b => got.AddRange(b.Records));
                        BeskedDecision d = channel == "rest" ? receiver.ReceiveModtagBesked(File(file)) : receiver.Receive(File(file), ids[file], false);
                        Eq(outcome == "handled" ? BeskedAction.Ack : BeskedAction.DeadLetter, d.Action, file + " action");
                        Eq(code == "-" ? null : code, d.Code, file + " code");
                        Eq(records, d.Records, file + " records in the decision");
                        Eq(records, got.Count, file + " records handed over");
                        Eq(beskedId == "-" ? null : beskedId, d.BeskedId, file + " BeskedId");
                        if (reason != "-") Eq(reason, d.Reason, file + " reason");
                        if (d.Reason != null) Eq(Redact.Cpr(d.Reason), d.Reason, file + ": a CPR-like number in the reason");
                        if (records > 0) Seq(sample, got.Select(Show), file + " records");
                    }
                    rows++;
                }
                Eq(14, rows, "rows of expected.tsv");
            });

            Test("beskedfordeler: the envelopes are valid against KOMBIT's schemas except the ones made invalid", () =>
            {
                // Independent of the receiver: System.Xml.Schema with the schema files of the repository (the spec's copy).
                var set = new XmlSchemaSet();
                set.Add(null, Path.Combine(Repo, "bindings/transport-double/xsd/beskedfordeler/AnvendersystemOperationer.xsd"));
                set.Compile();
                var invalid = new List<string>();
                foreach (string f in Directory.GetFiles(Dir, "*.xml").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal))
                {
                    var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = set, DtdProcessing = DtdProcessing.Prohibit };
                    bool ok = true;
                    settings.ValidationEventHandler += (s, a) => ok = false;
                    try
                    {
                        using (XmlReader r = XmlReader.Create(new MemoryStream(File(f)), settings)) while (r.Read()) { }
                    }
                    catch (XmlException)
                    {
                        ok = false;
                    }
                    if (!ok) invalid.Add(f);
                }
                Seq(new[] { "cpr-in-invalid-field.xml", "no-besked-id.xml", "not-well-formed.xml" }, invalid, "invalid envelopes");
            });

            Test("beskedfordeler: ISO-8859-1, UTF-8, Windows-1252, Binary and REST give the records of sample.txt byte for byte", () =>
            {
                List<string> sample = SampleRecords();
                Eq(27, sample.Count, "records of sample.txt");
                foreach (string f in new[] { "latin1.xml", "utf8.xml", "no-namespace-base64.xml", "windows-1252.xml", "binary.xml", "modtag-besked-input.xml" })
                {
                    using (var ledger = new Ledger(Path.Combine(TempDir("enc"), "ledger")))
                    {
                        List<string> got = null;
                        var receiver = new BeskedReceiver(ledger, b => got = b.Records.Select(Show).ToList());
                        BeskedDecision d = f.StartsWith("modtag", StringComparison.Ordinal) ? receiver.ReceiveModtagBesked(File(f)) : receiver.Receive(File(f), null, false);
                        Eq(BeskedAction.Ack, d.Action, f + ": " + d);
                        Seq(sample, got, f);
                    }
                }
            });

            Test("beskedfordeler: a failing handler is retried, attempts count across restarts, the last one dead-letters", () =>
            {
                string dir = TempDir("attempts");
                string ledgerPath = Path.Combine(dir, "ledger");
                byte[] body = File("latin1.xml");
                var seen = new List<string>();
                Action<Besked> failing = b =>
                {
                    seen.Add(b.Attempt + (b.Interrupted ? " interrupted" : "") + (b.Redelivered ? " redelivered" : ""));
                    throw new InvalidOperationException("database down while storing 0101575123");
                };
                for (int attempt = 1; attempt <= 2; attempt++)
                {
                    using (var ledger = new Ledger(ledgerPath)) // a new process each time: the attempts come from the file
                    {
                        BeskedDecision d = new BeskedReceiver(ledger, failing) { MaxAttempts = 3 }.Receive(body, "m-" + attempt, attempt > 1);
                        Eq(BeskedAction.Retry, d.Action, "attempt " + attempt);
                        Eq("handler_failed", d.Code, "code");
                        Eq("handler failed (attempt " + attempt + "): InvalidOperationException: database down while storing **********", d.Reason, "reason");
                        Eq(40, d.StatusKode, "REST status");
                    }
                }
                // A crash inside the handler: BEGIN 3 without an end. The next call is attempt 4, flagged interrupted.
                using (var ledger = new Ledger(ledgerPath))
                    ledger.Append("BEGIN", 3, "b:5d7c0f6e-3b1a-4c55-9d3e-d00000000001", null, true);
                using (var ledger = new Ledger(ledgerPath))
                {
                    var receiver = new BeskedReceiver(ledger, failing) { MaxAttempts = 4 };
                    BeskedDecision d = receiver.Receive(body, "m-4", true);
                    Eq(BeskedAction.DeadLetter, d.Action, "attempt 4 is the last");
                    Eq("handler failed 4 times, last: InvalidOperationException: database down while storing **********", d.Reason, "reason");
                    var letters = new DirectoryDeadLetters(Path.Combine(dir, "dead"));
                    string stored = letters.Store(d, body);
                    receiver.DeadLettered(d);
                    Seq(body, System.IO.File.ReadAllBytes(stored), "stored body");
                    Eq("handler_failed\t" + d.Reason + "\n", System.IO.File.ReadAllText(Path.ChangeExtension(stored, ".reason")), "stored reason");
                    // A replay (new message id) is a duplicate now; nothing reaches the handler.
                    BeskedDecision again = receiver.Receive(body, "m-5", false);
                    Eq(BeskedAction.Ack, again.Action, "replay");
                    True(again.Duplicate, "replay is a duplicate");
                }
                Seq(new[] { "1", "2 redelivered", "4 interrupted redelivered" }, seen, "handler calls");
                Seq(new[] { "BEGIN 1", "FAILED 1", "BEGIN 2", "FAILED 2", "BEGIN 3", "BEGIN 4", "FAILED 4", "DEAD 4 handler_failed" },
                    System.IO.File.ReadAllLines(ledgerPath).Select(l => l.Split('\t')).Select(p => p[1] + " " + p[2] + (p.Length > 4 ? " " + p[4] : "")),
                    "ledger lines");
                using (var ledger = new Ledger(ledgerPath))
                {
                    // Five attempts used up (MaxAttempts 4): dead-lettered again without calling the handler.
                    ledger.Forget("b:5d7c0f6e-3b1a-4c55-9d3e-d00000000001");
                    int calls = 0;
                    BeskedDecision d = new BeskedReceiver(ledger, b => calls++).Receive(body, "m-6", false);
                    Eq(BeskedAction.Ack, d.Action, "after FORGET the message is handled");
                    Eq(1, calls, "handler calls after FORGET");
                }
            });

            Test("beskedfordeler: a CPR-like BeskedId or message id is hashed in the ledger and the dead letters; no CPR in any line, name or reason", () =>
            {
                string dir = TempDir("no-cpr");
                string ledgerPath = Path.Combine(dir, "ledger");
                // Synthetic CPR 6101604321 (day + 60) inside a valid UUID and inside the message id.
                string beskedId = "5d7c0f6e-3b1a-4c55-9d3e-d6101604321f";
                byte[] body = Encoding.UTF8.GetBytes(System.IO.File.ReadAllText(Path.Combine(Dir, "latin1.xml"))
                    .Replace("5d7c0f6e-3b1a-4c55-9d3e-d00000000001", beskedId));
                Action<Besked> failing = b => throw new InvalidOperationException("cannot store " + b.BeskedId + " for 610160-4321");
                var letters = new DirectoryDeadLetters(Path.Combine(dir, "dead"));
                var reasons = new List<string>();
                using (var ledger = new Ledger(ledgerPath))
                {
                    var receiver = new BeskedReceiver(ledger, failing) { MaxAttempts = 2 };
                    BeskedDecision first = receiver.Receive(body, "m-6101604321", false);
                    Eq(BeskedAction.Retry, first.Action, "first attempt");
                    BeskedDecision d = receiver.Receive(body, "m-6101604321", true);
                    Eq(BeskedAction.DeadLetter, d.Action, "second attempt dead-letters");
                    Eq(beskedId, d.BeskedId, "the caller still gets the BeskedId");
                    True(d.LedgerKey.StartsWith("b:sha256:", StringComparison.Ordinal), "ledger key hashed: " + d.LedgerKey);
                    letters.Store(d, body);
                    receiver.DeadLettered(d);
                    reasons.Add(first.Reason);
                    reasons.Add(d.Reason);
                    // The same BeskedId under another message id: found by its hashed key, a duplicate.
                    BeskedDecision again = receiver.Receive(body, "m-7", false);
                    Eq(BeskedAction.Ack, again.Action, "replay");
                    True(again.Duplicate, "replay is a duplicate");
                }
                var cpr = new System.Text.RegularExpressions.Regex("(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])"); // the timestamps have 13 digits
                string[] lines = System.IO.File.ReadAllLines(ledgerPath);
                Eq(5, lines.Length, "ledger lines (BEGIN, FAILED, BEGIN, FAILED, DEAD)");
                var texts = lines.Concat(reasons)
                    .Concat(Directory.GetFiles(Path.Combine(dir, "dead")).Select(Path.GetFileName))
                    .Concat(Directory.GetFiles(Path.Combine(dir, "dead"), "*.reason").Select(System.IO.File.ReadAllText)).ToList();
                Eq(5 + 2 + 2 + 1, texts.Count, "texts swept");
                foreach (string t in texts) True(!cpr.IsMatch(t), "no CPR-like run in: " + t);
            });

            Test("beskedfordeler: duplicates by BeskedId and by message id survive a restart; a torn ledger line is cut off", () =>
            {
                string ledgerPath = Path.Combine(TempDir("dup"), "ledger");
                int calls = 0;
                Action<Besked> handler = b => calls++;
                using (var ledger = new Ledger(ledgerPath))
                {
                    var r = new BeskedReceiver(ledger, handler);
                    Eq(BeskedAction.Ack, r.Receive(File("utf8.xml"), "a-1", false).Action, "first delivery");
                    BeskedDecision bad = r.Receive(File("not-well-formed.xml"), "x-1", false);
                    Eq(BeskedAction.DeadLetter, bad.Action, "bad envelope");
                    Eq("m:x-1", bad.LedgerKey, "a bad envelope is recorded under its message id");
                    r.DeadLettered(bad);
                }
                // A process killed inside a write leaves half a line.
                System.IO.File.AppendAllText(ledgerPath, "1764600000000\tHAND");
                using (var ledger = new Ledger(ledgerPath))
                {
                    var r = new BeskedReceiver(ledger, handler);
                    BeskedDecision d = r.Receive(File("utf8.xml"), "a-2", true);
                    True(d.Action == BeskedAction.Ack && d.Duplicate, "same BeskedId, new message id: duplicate (" + d + ")");
                    d = r.Receive(File("not-well-formed.xml"), "x-1", true);
                    True(d.Action == BeskedAction.Ack && d.Duplicate, "dead-lettered message id again: duplicate (" + d + ")");
                    Eq(BeskedAction.DeadLetter, r.Receive(File("not-well-formed.xml"), "x-2", false).Action, "another copy without a readable BeskedId");
                }
                Eq(1, calls, "handler calls");
                string[] lines = System.IO.File.ReadAllLines(ledgerPath);
                Seq(new[] { "BEGIN", "HANDLED", "DEAD" }, lines.Select(l => l.Split('\t')[1]), "ledger states (torn line gone)");
                True(lines.All(l => l.Split('\t').Length >= 4), "whole lines only");
            });

            Test("ledger: compaction keeps the last line of each key, drops keys past the retention, FORGET releases", () =>
            {
                string path = Path.Combine(TempDir("ledger"), "ledger");
                long old = DateTimeOffset.UtcNow.AddDays(-31).ToUnixTimeMilliseconds();
                var text = new StringBuilder();
                text.Append(old).Append("\tHANDLED\t1\tb:old\n");
                for (int i = 0; i < 150; i++) text.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).Append("\tBEGIN\t").Append(i + 1).Append("\tb:busy\n");
                System.IO.File.WriteAllText(path, text.ToString());
                using (var l = new Ledger(path))
                {
                    Eq(null, l.Last("b:old"), "expired key");
                    Eq(150, l.Last("b:busy").Attempt, "last line of a key wins");
                    l.Append("DONE", 0, "f:a\tb", "abc", true);
                    l.Forget("b:busy");
                    Eq(null, l.Last("b:busy"), "forgotten");
                    Eq("abc", l.Last("f:a b").Note, "tab in a key becomes a space");
                }
                Eq(3, System.IO.File.ReadAllLines(path).Length, "lines after compaction, one append and one FORGET");
                using (var l = new Ledger(path)) Eq("DONE", l.Last("f:a b").State, "read back");
            });

            Test("beskedfordeler: REST push through HttpListener and curl; answers valid against AnvendersystemOperationer.xsd", () =>
            {
                string dir = TempDir("rest");
                var letters = new DirectoryDeadLetters(Path.Combine(dir, "dead"));
                int calls = 0;
                bool fail = false;
                using (var ledger = new Ledger(Path.Combine(dir, "ledger")))
                {
                    var receiver = new BeskedReceiver(ledger, b =>
                    {
                        calls++;
                        if (fail) throw new IOException("store not reachable");
                    });
                    int port = FreePort();
                    var listener = new HttpListener();
                    listener.Prefixes.Add("http://127.0.0.1:" + port + "/");
                    listener.Start();
                    var server = new Thread(() => Serve(listener, receiver, letters)) { IsBackground = true };
                    server.Start();
                    try
                    {
                        string url = "http://127.0.0.1:" + port + "/ModtagBesked";
                        Func<string, string> post = f => Run("curl", "-s -S -f -X POST -H 'Content-Type: text/xml; charset=UTF-8' --data-binary @" + f + " " + url);
                        string input = Path.Combine(Dir, "modtag-besked-input.xml");
                        string damaged = Path.Combine(dir, "damaged-input.xml");
                        System.IO.File.WriteAllText(damaged, System.IO.File.ReadAllText(input).Replace(
                            Between(System.IO.File.ReadAllText(Path.Combine(Dir, "modtag-besked-input.xml")), "<Beskeddata>", "</Beskeddata>"),
                            Between(System.IO.File.ReadAllText(Path.Combine(Dir, "damaged-record.xml")), "<Beskeddata>", "</Beskeddata>"))
                            .Replace("d00000000014", "d00000000015"));
                        string first = post(input), again = post(input), dead = post(damaged);
                        fail = true;
                        string retry = post(Retarget(input, dir));
                        foreach (string answer in new[] { first, again, dead, retry }) ValidOutput(answer);
                        True(first.Contains("<sd:StatusKode>20</sd:StatusKode></sd:StandardRetur>"), "handled: 20 without text: " + first);
                        True(again.Contains("<sd:StatusKode>20</sd:StatusKode></sd:StandardRetur>"), "resend: 20: " + again);
                        True(dead.Contains("<sd:StatusKode>20</sd:StatusKode><sd:FejlbeskedTekst>not handed to the receiving system, kept as a dead letter: not_digit</sd:FejlbeskedTekst>"),
                            "dead letter: " + dead);
                        True(retry.Contains("<sd:StatusKode>40</sd:StatusKode><sd:FejlbeskedTekst>not received now: handler_failed</sd:FejlbeskedTekst>"), "retry: " + retry);
                        Eq(2, calls, "handler calls (first and the failing one)");
                        Eq(2, Directory.GetFiles(Path.Combine(dir, "dead")).Length, "dead letter body and reason");
                    }
                    finally
                    {
                        listener.Stop();
                    }
                }
            });

            Test("beskedfordeler: end to end through RabbitMQ with Mono's RabbitMQ.Client (AMQP 0-9): decisions applied, redelivery, lost ack, throughput", () =>
            {
                string dir = TempDir("amqp");
                var letters = new DirectoryDeadLetters(Path.Combine(dir, "dead"));
                Dictionary<string, string> ids = MessageIds();
                var amqpFiles = System.IO.File.ReadAllLines(Path.Combine(Dir, "expected.tsv")).Where(l => !l.StartsWith("#", StringComparison.Ordinal))
                    .Select(l => l.Split('\t')).Where(c => c[1] == "amqp").ToList();
                using (IConnection conn = Rabbit())
                using (IModel m = conn.CreateModel())
                using (var ledger = new Ledger(Path.Combine(dir, "ledger")))
                {
                    string queue = "dueslag-" + Guid.NewGuid().ToString("N");
                    m.QueueDeclare(queue, false, true, false, false, false, null);
                    foreach (string[] c in amqpFiles) Publish(m, queue, File(c[0]), ids[c[0]]);
                    int calls = 0;
                    bool failOnce = true;
                    var receiver = new BeskedReceiver(ledger, b =>
                    {
                        calls++;
                        if (b.BeskedId.EndsWith("d00000000002", StringComparison.Ordinal) && failOnce)
                        {
                            failOnce = false;
                            throw new IOException("temporarily unavailable");
                        }
                    });
                    var outcome = new Dictionary<string, string>();
                    var redelivered = new List<string>();
                    Consume(m, queue, amqpFiles.Count, e =>
                    {
                        BeskedDecision d = receiver.Receive(e.Body, e.BasicProperties.MessageId, e.Redelivered);
                        string file = ids.First(kv => kv.Value == e.BasicProperties.MessageId).Key;
                        if (e.Redelivered) redelivered.Add(file);
                        outcome[file] = d.Action == BeskedAction.Ack ? "handled" : d.Action == BeskedAction.DeadLetter ? "dead " + d.Code : "retry";
                        return Apply(m, e, d, receiver, letters);
                    });
                    foreach (string[] c in amqpFiles) Eq(c[2] == "handled" ? "handled" : "dead " + c[3], outcome[c[0]], c[0]);
                    Seq(new[] { "utf8.xml" }, redelivered, "redelivered after the retry");
                    Eq(amqpFiles.Count(c => c[2] == "dead") * 2, Directory.GetFiles(Path.Combine(dir, "dead")).Length, "dead letters stored");

                    // A lost ack: the channel closes after the ledger line, before the ack; the copy that comes again is a duplicate.
                    using (IModel m2 = conn.CreateModel())
                    {
                        Publish(m2, queue, File("latin1.xml"), "lost-ack");
                        BasicGetResult g = Get(m2, queue);
                        Eq(BeskedAction.Ack, receiver.Receive(g.Body, g.BasicProperties.MessageId, g.Redelivered).Action, "first copy");
                    }
                    BasicGetResult again = Get(m, queue);
                    True(again.Redelivered, "the broker redelivers the unacked message");
                    BeskedDecision dup = receiver.Receive(again.Body, again.BasicProperties.MessageId, again.Redelivered);
                    True(dup.Action == BeskedAction.Ack && dup.Duplicate, "redelivered copy is a duplicate: " + dup);
                    m.BasicAck(again.DeliveryTag, false);

                    // Throughput: 500 distinct events through the broker, one at a time (prefetch 1), ack after the forced ledger line.
                    const int n = 500;
                    string template = System.IO.File.ReadAllText(Path.Combine(Dir, "latin1.xml"));
                    for (int i = 0; i < n; i++)
                        Publish(m, queue, Encoding.UTF8.GetBytes(template.Replace("d00000000001", "e" + i.ToString("D11"))), "perf-" + i);
                    int before = calls;
                    var clock = Stopwatch.StartNew();
                    Consume(m, queue, n, e => Apply(m, e, receiver.Receive(e.Body, e.BasicProperties.MessageId, e.Redelivered), receiver, letters));
                    clock.Stop();
                    Eq(n, calls - before, "handler calls for the throughput run");
                    Eq(null, m.BasicGet(queue, false), "queue drained");
                    Console.WriteLine("# beskedfordeler-dotnet: " + n + " messages (27 records each) through RabbitMQ in " + clock.ElapsedMilliseconds + " ms: "
                        + (n * 1000 / Math.Max(1, clock.ElapsedMilliseconds)) + " messages/s (decode, handler, fsync'ed ledger line, ack)");
                }
            });

            Test("readme: IncomeMessages acks, dead-letters and requeues through RabbitMQ and answers REST", () =>
            {
                string dir = TempDir("readme-bfo");
                var stored = new List<string>();
                bool down = true;
                using (var messages = new IncomeMessages(Path.Combine(dir, "ledger"), Path.Combine(dir, "dead"), b =>
                {
                    if (down && b.BeskedId.EndsWith("d00000000002", StringComparison.Ordinal)) { down = false; throw new IOException("store down"); }
                    stored.Add(b.BeskedId + " " + b.Records.Count);
                }))
                using (IConnection conn = Rabbit())
                using (IModel m = conn.CreateModel())
                {
                    string queue = "dueslag-readme-" + Guid.NewGuid().ToString("N");
                    m.QueueDeclare(queue, false, true, false, false, false, null);
                    foreach (string f in new[] { "latin1.xml", "damaged-record.xml", "utf8.xml" }) Publish(m, queue, File(f), "readme-" + f);
                    var acts = new List<string>();
                    for (BasicGetResult g = Get(m, queue); g != null; g = m.BasicGet(queue, false))
                    {
                        bool ack = messages.OnDelivery(g.Body, g.BasicProperties.MessageId, g.Redelivered);
                        acts.Add(g.BasicProperties.MessageId + (ack ? " ack" : " requeue"));
                        if (ack) m.BasicAck(g.DeliveryTag, false);
                        else m.BasicReject(g.DeliveryTag, true);
                    }
                    Seq(new[] { "readme-latin1.xml ack", "readme-damaged-record.xml ack", "readme-utf8.xml requeue", "readme-utf8.xml ack" }, acts, "deliveries");
                    Seq(new[] { "5d7c0f6e-3b1a-4c55-9d3e-d00000000001 27", "5d7c0f6e-3b1a-4c55-9d3e-d00000000002 27" }, stored, "stored");
                    Eq("not_digit\trejected: line 10 (Lb_nr 10), record 6001, field 4 Beloeb, offset 731: non-digit in numeric field\n",
                        System.IO.File.ReadAllText(Path.Combine(dir, "dead", "b_5d7c0f6e-3b1a-4c55-9d3e-d00000000010.reason")), "dead letter reason");
                    string answer = Encoding.UTF8.GetString(messages.OnModtagBesked(File("modtag-besked-input.xml")));
                    ValidOutput(answer);
                    True(answer.Contains("<sd:StatusKode>20</sd:StatusKode>"), answer);
                }
            });

            Test("beskedfordeler: a consumer killed with SIGKILL inside the handler or before the ack hands nothing over twice", () =>
            {
                string dir = TempDir("kill");
                string queue = "dueslag-kill-" + Guid.NewGuid().ToString("N");
                string store = Path.Combine(dir, "store");
                string template = System.IO.File.ReadAllText(Path.Combine(Dir, "latin1.xml"));
                using (IConnection conn = Rabbit())
                using (IModel m = conn.CreateModel())
                {
                    m.QueueDeclare(queue, false, true, false, false, false, null);
                    for (int i = 0; i < 6; i++)
                        Publish(m, queue, Encoding.UTF8.GetBytes(template.Replace("d00000000001", "f" + i.ToString("D11"))), "kill-" + i);
                    // Message 1: killed inside the handler after its store was written; message 3: killed after HANDLED, before the ack.
                    string exe = typeof(TestRunner).Assembly.Location;
                    Eq(137, Consumer(exe, queue, dir, store, "in-handler:f00000000001"), "first consumer killed");
                    Eq(137, Consumer(exe, queue, dir, store, "before-ack:f00000000003"), "second consumer killed");
                    Eq(0, Consumer(exe, queue, dir, store, "none"), "third consumer drains the queue");
                    Eq(null, m.BasicGet(queue, false), "queue drained");
                }
                // The handler's own store: each BeskedId once; the interrupted one was recognised by the handler.
                string[] stored = System.IO.File.ReadAllLines(store);
                Seq(Enumerable.Range(0, 6).Select(i => "5d7c0f6e-3b1a-4c55-9d3e-f" + i.ToString("D11")), stored.Select(l => l.Split(' ')[0]), "stored once each, in order");
                string[] log = System.IO.File.ReadAllLines(Path.Combine(dir, "calls"));
                True(log.Contains("5d7c0f6e-3b1a-4c55-9d3e-f00000000001 attempt 2 interrupted"), "the repeat after the kill in the handler is flagged: " + string.Join(" | ", log));
                Eq(1, log.Count(l => l.StartsWith("5d7c0f6e-3b1a-4c55-9d3e-f00000000003", StringComparison.Ordinal)), "killed before the ack: one handler call");
            });
        }

        /// <summary>The consumer child process (TransportTests.exe --consume): exit code 137 when it killed itself.</summary>
        private static int Consumer(string exe, string queue, string dir, string store, string kill)
        {
            var psi = new ProcessStartInfo("mono", "\"" + exe + "\" --consume " + queue + " " + dir + " " + store + " " + kill) { UseShellExecute = false };
            using (Process p = Process.Start(psi))
            {
                if (!p.WaitForExit(120000))
                {
                    p.Kill();
                    throw new Failure("consumer did not finish");
                }
                return p.ExitCode;
            }
        }

        /// <summary>
        /// The child consumer: takes messages until the queue is empty; the handler appends "BeskedId records" to STORE (forced),
        /// unless Interrupted and its BeskedId is already there (the handler's part of exactly-once). KILL: where to SIGKILL
        /// itself (in-handler:ID after the store line, before-ack:ID after HANDLED) or none.
        /// </summary>
        internal static int ConsumeMain(string[] a)
        {
            string queue = a[1], dir = a[2], store = a[3], kill = a[4];
            using (IConnection conn = Rabbit())
            using (IModel m = conn.CreateModel())
            using (var ledger = new Ledger(Path.Combine(dir, "ledger")))
            {
                var receiver = new BeskedReceiver(ledger, b =>
                {
                    System.IO.File.AppendAllText(Path.Combine(dir, "calls"), b.BeskedId + " attempt " + b.Attempt + (b.Interrupted ? " interrupted" : "") + "\n");
                    if (b.Interrupted && System.IO.File.Exists(store) && System.IO.File.ReadAllLines(store).Any(l => l.StartsWith(b.BeskedId + " ", StringComparison.Ordinal))) return;
                    using (var f = new FileStream(store, FileMode.Append, FileAccess.Write))
                    {
                        byte[] line = Encoding.UTF8.GetBytes(b.BeskedId + " " + b.Records.Count + "\n");
                        f.Write(line, 0, line.Length);
                        f.Flush(true);
                    }
                    if (kill == "in-handler:" + b.BeskedId.Substring(b.BeskedId.Length - 12)) SigKill();
                });
                m.BasicQos(0, 1, false);
                BasicGetResult g;
                while ((g = m.BasicGet(queue, false)) != null)
                {
                    BeskedDecision d = receiver.Receive(g.Body, g.BasicProperties.MessageId, g.Redelivered);
                    if (d.BeskedId != null && kill == "before-ack:" + d.BeskedId.Substring(d.BeskedId.Length - 12)) SigKill();
                    if (d.Action != BeskedAction.Ack) throw new Exception("unexpected decision " + d);
                    m.BasicAck(g.DeliveryTag, false);
                }
            }
            return 0;
        }

        private static void SigKill()
        {
            Process.Start("kill", "-KILL " + Process.GetCurrentProcess().Id).WaitForExit();
            Thread.Sleep(10000);
        }

        private static IConnection Rabbit()
        {
            // Debian's Mono RabbitMQ client speaks AMQP 0-9 (RabbitMQ treats it as 0-9-1) and SASL PLAIN only.
            var f = new ConnectionFactory { UserName = "guest", Password = "guest", VirtualHost = "/" };
            f.Endpoint = new AmqpTcpEndpoint(Protocols.AMQP_0_9, "127.0.0.1", int.Parse(Env("EIK_RABBIT_PORT")));
            return f.CreateConnection();
        }

        private static void Publish(IModel m, string queue, byte[] body, string messageId)
        {
            IBasicProperties p = m.CreateBasicProperties();
            p.MessageId = messageId;
            p.DeliveryMode = 2;
            m.BasicPublish("", queue, p, body);
        }

        private static BasicGetResult Get(IModel m, string queue)
        {
            for (int i = 0; i < 200; i++)
            {
                BasicGetResult g = m.BasicGet(queue, false);
                if (g != null) return g;
                Thread.Sleep(50);
            }
            throw new Failure("no message on " + queue);
        }

        /// <summary>Consumes with basic.consume (manual ack, prefetch 1) until <paramref name="settled"/> messages were acked.</summary>
        private static void Consume(IModel m, string queue, int settled, Func<RabbitMQ.Client.Events.BasicDeliverEventArgs, bool> handle)
        {
            m.BasicQos(0, 1, false);
            var consumer = new QueueingBasicConsumer(m);
            string tag = m.BasicConsume(queue, false, null, consumer);
            int acked = 0;
            try
            {
                while (acked < settled)
                {
                    object o;
                    if (!consumer.Queue.Dequeue(30000, out o)) throw new Failure("no delivery within 30 s (" + acked + " of " + settled + ")");
                    if (handle((RabbitMQ.Client.Events.BasicDeliverEventArgs)o)) acked++;
                }
            }
            finally
            {
                m.BasicCancel(tag);
            }
        }

        /// <summary>Applies a decision as a consumer does: ack, store + DeadLettered + ack, or reject with requeue. True when acked.</summary>
        private static bool Apply(IModel m, RabbitMQ.Client.Events.BasicDeliverEventArgs e, BeskedDecision d, BeskedReceiver receiver,
            DirectoryDeadLetters letters)
        {
            switch (d.Action)
            {
                case BeskedAction.Ack:
                    m.BasicAck(e.DeliveryTag, false);
                    return true;
                case BeskedAction.DeadLetter:
                    letters.Store(d, e.Body);
                    receiver.DeadLettered(d);
                    m.BasicAck(e.DeliveryTag, false);
                    return true;
                default:
                    // AMQP 0-9 has no basic.nack: reject with requeue puts it back at the head (FIFO kept).
                    Thread.Sleep(100);
                    m.BasicReject(e.DeliveryTag, true);
                    return false;
            }
        }

        private static void Serve(HttpListener listener, BeskedReceiver receiver, DirectoryDeadLetters letters)
        {
            while (listener.IsListening)
            {
                HttpListenerContext c;
                try
                {
                    c = listener.GetContext();
                }
                catch (HttpListenerException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                var body = new MemoryStream();
                c.Request.InputStream.CopyTo(body);
                BeskedDecision d = receiver.ReceiveModtagBesked(body.ToArray());
                if (d.Action == BeskedAction.DeadLetter)
                {
                    letters.Store(d, body.ToArray());
                    receiver.DeadLettered(d);
                }
                byte[] answer = BeskedReceiver.ModtagBeskedOutput(d);
                c.Response.StatusCode = 200;
                c.Response.ContentType = "application/xml; charset=UTF-8";
                c.Response.ContentLength64 = answer.Length;
                c.Response.OutputStream.Write(answer, 0, answer.Length);
                c.Response.Close();
            }
        }

        private static void ValidOutput(string answer)
        {
            var set = new XmlSchemaSet();
            set.Add(null, Path.Combine(Repo, "bindings/transport-double/xsd/beskedfordeler/AnvendersystemOperationer.xsd"));
            var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = set };
            settings.ValidationEventHandler += (s, a) => { throw new Failure("answer not valid: " + a.Message + ": " + answer); };
            using (XmlReader r = XmlReader.Create(new StringReader(answer), settings)) while (r.Read()) { }
        }

        private static string Between(string s, string from, string to)
        {
            int a = s.IndexOf(from, StringComparison.Ordinal), b = s.IndexOf(to, a, StringComparison.Ordinal);
            return s.Substring(a, b + to.Length - a);
        }

        /// <summary>A copy of the REST input with a new BeskedId (so it is not a duplicate).</summary>
        private static string Retarget(string input, string dir)
        {
            string path = Path.Combine(dir, "other-input.xml");
            System.IO.File.WriteAllText(path, System.IO.File.ReadAllText(input).Replace("d00000000014", "d00000000016"));
            return path;
        }

        internal static int FreePort()
        {
            var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }
    }
}
