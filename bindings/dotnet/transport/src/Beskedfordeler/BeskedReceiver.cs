using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security;
using System.Security.Cryptography;
using System.Text;

namespace Eindkomst.Transport.Beskedfordeler
{
    /// <summary>What the handler gets: one message's records, decoded and checked by the engine.</summary>
    public sealed class Besked
    {
        internal Besked(string beskedId, string messageId, int attempt, bool interrupted, bool redelivered, IReadOnlyList<Record> records,
            IReadOnlyList<Finding> warnings)
        {
            BeskedId = beskedId;
            MessageId = messageId;
            Attempt = attempt;
            Interrupted = interrupted;
            Redelivered = redelivered;
            Records = records;
            Warnings = warnings;
        }

        /// <summary>The sender's id of the event (<c>Haendelsesbesked/BeskedId</c>): the key to be idempotent on.</summary>
        public string BeskedId { get; }
        /// <summary>The AMQP <c>message_id</c> (per delivered copy); null on REST.</summary>
        public string MessageId { get; }
        /// <summary>1-based, counted in the ledger across restarts.</summary>
        public int Attempt { get; }
        /// <summary>The previous attempt never returned (the process stopped inside the handler): look up <see cref="BeskedId"/> in your store first.</summary>
        public bool Interrupted { get; }
        /// <summary>AMQP: the broker's redelivered flag; REST: <c>AntalLeveranceforsoeg</c> &gt; 1.</summary>
        public bool Redelivered { get; }
        /// <summary>Every record of every payload, in order.</summary>
        public IReadOnlyList<Record> Records { get; }
        /// <summary>The engine's warnings (records were decoded).</summary>
        public IReadOnlyList<Finding> Warnings { get; }
    }

    /// <summary>What the caller does with the message.</summary>
    public enum BeskedAction
    {
        /// <summary>Acknowledge (AMQP <c>basic.ack</c>; REST StatusKode 20): handled, or a duplicate.</summary>
        Ack,
        /// <summary>Store the raw body with <see cref="BeskedDecision.Code"/> and <see cref="BeskedDecision.Reason"/> (e.g.
        /// <see cref="DirectoryDeadLetters"/>), call <see cref="BeskedReceiver.DeadLettered"/>, then acknowledge.</summary>
        DeadLetter,
        /// <summary>Do not acknowledge: AMQP <c>basic.reject</c>/<c>nack</c> with requeue after a pause; REST the
        /// <see cref="BeskedDecision.StatusKode"/> (40, or 53 when the ledger failed).</summary>
        Retry,
    }

    /// <summary>The receiver's decision on one message. Its texts never hold a CPR number.</summary>
    public sealed class BeskedDecision
    {
        internal BeskedDecision(BeskedAction action, string code, string reason, string beskedId, string ledgerKey, int attempt, int records,
            bool duplicate)
        {
            Action = action;
            Code = code;
            Reason = reason;
            BeskedId = beskedId;
            LedgerKey = ledgerKey;
            Attempt = attempt;
            Records = records;
            Duplicate = duplicate;
        }

        /// <summary>Ack, DeadLetter or Retry.</summary>
        public BeskedAction Action { get; }
        /// <summary>DeadLetter/Retry: a stable code (<c>bad_envelope</c>, <c>invalid_envelope</c>, <c>no_besked_id</c>,
        /// <c>no_payload</c>, <c>unknown_encoding</c>, <c>bad_encoding</c>, <c>not_latin1</c>, <c>invalid_base64</c>, an engine
        /// finding code such as <c>not_digit</c>, <c>handler_failed</c>, <c>ledger_failed</c>); null for Ack.</summary>
        public string Code { get; }
        /// <summary>The reason in words (an engine finding names line, Lb_nr, record, field and offset, never contents).</summary>
        public string Reason { get; }
        /// <summary>The BeskedId, when the envelope was readable.</summary>
        public string BeskedId { get; }
        /// <summary>The ledger key the outcome is recorded under (<c>b:BeskedId</c>, else <c>m:message id</c> or <c>s:SHA-256 of the body</c>).</summary>
        public string LedgerKey { get; }
        /// <summary>The handler attempt this decision closes (0: the handler was not called).</summary>
        public int Attempt { get; }
        /// <summary>Records handed to the handler.</summary>
        public int Records { get; }
        /// <summary>Ack of a message settled before (a lost ack, a resend, a replay).</summary>
        public bool Duplicate { get; }

        /// <summary>The REST answer's StatusKode: 20 (Ack, DeadLetter once stored), 40 (Retry), 53 (the ledger failed: a serious local failure).</summary>
        public int StatusKode => Action == BeskedAction.Retry ? (Code == "ledger_failed" ? 53 : 40) : 20;

        /// <summary>"DeadLetter not_digit: rejected: line 10 …".</summary>
        public override string ToString()
        {
            return Action + (Duplicate ? " (duplicate)" : "") + (Code != null ? " " + Code + ": " + Reason : "");
        }
    }

    /// <summary>
    /// Beskedfordeler message handling for any AMQP client (RabbitMQ.Client, …) or REST push receiver (BeskedFåTilsendt):
    /// the caller hands over the body, <see cref="Receive"/> reads and validates the envelope, decodes the payloads through
    /// the engine, consults the durable <see cref="Ledger"/>, calls the handler, and returns the <see cref="BeskedDecision"/>
    /// the caller applies (docs/transports.md section 2 has the order of checks; the ledger lines are the Java and Node
    /// adapters'):
    /// <list type="number">
    /// <item>a message key (AMQP <c>m:message_id</c>, else <c>s:SHA-256 of the body</c>) settled before → Ack (duplicate);</item>
    /// <item>the envelope: well-formed, no DTD, the expected root, valid against KOMBIT's schema, non-empty BeskedId, else DeadLetter;</item>
    /// <item><c>b:BeskedId</c> settled before → Ack (duplicate): a lost ack, a resend, a replay with a new message id;</item>
    /// <item>the payloads by their <c>encoding</c>: ISO-8859-1 and Binary go to the engine as Base64; UTF-8, ASCII and
    /// Windows-1252 are decoded here and written in ISO-8859-1 (what the records use); anything else is
    /// <c>unknown_encoding</c>; then any rejected line or stream error of the engine → DeadLetter with its finding;</item>
    /// <item><see cref="MaxAttempts"/> attempts used up (also attempts cut short by a crash) → DeadLetter <c>handler_failed</c>;</item>
    /// <item><c>BEGIN n</c> is written, the handler called; it returns → <c>HANDLED n</c> forced to disk → Ack; it throws →
    /// <c>FAILED n</c> → Retry, or at the last attempt DeadLetter <c>handler_failed</c>.</item>
    /// </list>
    /// A DeadLetter is settled only when the caller has stored the letter and called <see cref="DeadLettered"/>; until
    /// then a redelivery is decided again (and stored again: the same key). Calls are serialised: use prefetch 1, as the
    /// FIFO dueslag expects.
    /// </summary>
    public sealed class BeskedReceiver
    {
        private static readonly string[] Supported = { "ISO-8859-1", "UTF-8", "ASCII", "Windows-1252", "Binary" };
        private readonly Ledger ledger;
        private readonly Action<Besked> handler;
        private readonly object gate = new object();

        /// <summary>A receiver writing to <paramref name="ledger"/> and handing records to <paramref name="handler"/>.</summary>
        /// <param name="ledger">The durable ledger (may be shared with another channel of the same process).</param>
        /// <param name="handler">Stores the records; returns when they are durable (only then is the message acknowledged).
        /// An exception means "not stored": the message comes again.</param>
        public BeskedReceiver(Ledger ledger, Action<Besked> handler)
        {
            this.ledger = ledger ?? throw new ArgumentNullException(nameof(ledger));
            this.handler = handler ?? throw new ArgumentNullException(nameof(handler));
        }

        /// <summary>Handler attempts per BeskedId before the message is dead-lettered (default 5).</summary>
        public int MaxAttempts { get; set; } = 5;

        /// <summary>An AMQP delivery: the body (a <c>Haendelsesbesked</c>), its <c>message_id</c> (null if none) and redelivered flag.</summary>
        public BeskedDecision Receive(byte[] body, string messageId, bool redelivered)
        {
            string key = string.IsNullOrEmpty(messageId) ? BodyKey(body) : "m:" + Redact.Id(messageId);
            return Decide(body, false, key, messageId, redelivered);
        }

        /// <summary>A REST push (<c>POST …/ModtagBesked</c>): the body is a <c>ModtagBeskedInput</c>. Answer with
        /// <see cref="ModtagBeskedOutput"/> of the decision (after storing a dead letter).</summary>
        public BeskedDecision ReceiveModtagBesked(byte[] body)
        {
            return Decide(body, true, BodyKey(body), null, false);
        }

        /// <summary>Records that the caller stored the dead letter of <paramref name="decision"/> (forced to disk); acknowledge after this.</summary>
        /// <exception cref="IOException">The ledger could not be written: do not acknowledge.</exception>
        public void DeadLettered(BeskedDecision decision)
        {
            if (decision.Action != BeskedAction.DeadLetter) throw new ArgumentException("not a DeadLetter decision", nameof(decision));
            ledger.Append("DEAD", decision.Attempt, decision.LedgerKey, decision.Code, true);
        }

        /// <summary>
        /// The REST answer (<c>sts:ModtagBeskedOutput</c>, valid against AnvendersystemOperationer.xsd) for a decision the caller
        /// has applied: StatusKode 20, 40 or 53; a dead letter says so in FejlbeskedTekst (with its code only).
        /// </summary>
        public static byte[] ModtagBeskedOutput(BeskedDecision decision)
        {
            string fejl = decision.Action == BeskedAction.DeadLetter ? "not handed to the receiving system, kept as a dead letter: " + decision.Code
                : decision.Action == BeskedAction.Retry ? "not received now: " + decision.Code : null;
            string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sts:ModtagBeskedOutput xmlns:sts=\"" + Envelope.StsNs + "\" xmlns:sd=\""
                + Envelope.SagdokNs + "\"><sd:StandardRetur><sd:StatusKode>" + decision.StatusKode.ToString(CultureInfo.InvariantCulture)
                + "</sd:StatusKode>" + (fejl != null ? "<sd:FejlbeskedTekst>" + SecurityElement.Escape(fejl) + "</sd:FejlbeskedTekst>" : "")
                + "</sd:StandardRetur></sts:ModtagBeskedOutput>";
            return new UTF8Encoding(false).GetBytes(xml);
        }

        private static bool Settled(LedgerEntry e)
        {
            return e != null && (e.State == "HANDLED" || e.State == "DEAD");
        }

        private static string BodyKey(byte[] body)
        {
            using (var sha = SHA256.Create())
                return "s:" + BitConverter.ToString(sha.ComputeHash(body)).Replace("-", "").ToLowerInvariant();
        }

        private BeskedDecision Decide(byte[] body, bool rest, string messageKey, string messageId, bool redelivered)
        {
            lock (gate)
            {
                try
                {
                    return DecideLocked(body, rest, messageKey, messageId, redelivered);
                }
                catch (IOException e)
                {
                    return new BeskedDecision(BeskedAction.Retry, "ledger_failed", "the ledger could not be written: " + e.GetType().Name, null, messageKey,
                        0, 0, false);
                }
            }
        }

        private BeskedDecision DecideLocked(byte[] body, bool rest, string messageKey, string messageId, bool redelivered)
        {
            if (Settled(ledger.Last(messageKey))) return new BeskedDecision(BeskedAction.Ack, null, null, null, messageKey, 0, 0, true);
            Envelope env;
            try
            {
                env = Envelope.Read(body, rest);
            }
            catch (EnvelopeException e)
            {
                return Dead(e.Code, e.Message, null, messageKey, 0);
            }
            string key = "b:" + Redact.Id(env.BeskedId);
            LedgerEntry last = ledger.Last(key);
            if (Settled(last)) return new BeskedDecision(BeskedAction.Ack, null, null, env.BeskedId, key, 0, 0, true);
            var records = new List<Record>();
            var warnings = new List<Finding>();
            if (env.Payloads.Count == 0) return Dead("no_payload", "Haendelsesbesked has no Beskeddata/Base64", env.BeskedId, key, 0);
            foreach (Payload p in env.Payloads)
            {
                string[] problem = Decode(p, records, warnings);
                if (problem != null) return Dead(problem[0], problem[1], env.BeskedId, key, 0);
            }
            int done = last == null ? 0 : last.Attempt;
            if (done >= MaxAttempts)
                return Dead("handler_failed", "handler failed " + done + " times (or the process stopped inside it)", env.BeskedId, key, done);
            int attempt = done + 1;
            ledger.Append("BEGIN", attempt, key, null, false);
            bool interrupted = last != null && last.State == "BEGIN";
            try
            {
                handler(new Besked(env.BeskedId, messageId, attempt, interrupted, rest ? env.AntalLeveranceforsoeg > 1 : redelivered,
                    records.AsReadOnly(), warnings.AsReadOnly()));
            }
            catch (Exception e)
            {
                string why = e.GetType().Name + ": " + Redact.Cpr(e.Message);
                ledger.Append("FAILED", attempt, key, null, false);
                if (attempt >= MaxAttempts) return Dead("handler_failed", "handler failed " + attempt + " times, last: " + why, env.BeskedId, key, attempt);
                return new BeskedDecision(BeskedAction.Retry, "handler_failed", "handler failed (attempt " + attempt + "): " + why, env.BeskedId, key,
                    attempt, 0, false);
            }
            ledger.Append("HANDLED", attempt, key, null, true);
            return new BeskedDecision(BeskedAction.Ack, null, null, env.BeskedId, key, attempt, records.Count, false);
        }

        private static BeskedDecision Dead(string code, string reason, string beskedId, string key, int attempt)
        {
            return new BeskedDecision(BeskedAction.DeadLetter, code, reason, beskedId, key, attempt, 0, false);
        }

        /// <summary>Decodes one payload into <paramref name="records"/>; null, or {code, reason}.</summary>
        private static string[] Decode(Payload p, List<Record> records, List<Finding> warnings)
        {
            string enc = p.Encoding ?? "";
            Stream input;
            bool base64;
            if (Is(enc, "ISO-8859-1") || Is(enc, "Binary"))
            {
                // Assumption: "Binary" means bytes with no text encoding claimed, i.e. the file as SKAT writes it.
                input = new MemoryStream(Encoding.ASCII.GetBytes(p.Base64Text), false);
                base64 = true;
            }
            else if (Is(enc, "UTF-8") || Is(enc, "ASCII") || Is(enc, "Windows-1252"))
            {
                byte[] raw;
                try
                {
                    raw = Convert.FromBase64String(p.Base64Text);
                }
                catch (FormatException)
                {
                    return new[] { "invalid_base64", "the Base64 text of the payload is not valid Base64" };
                }
                byte[] latin1;
                string[] problem = Latin1.Transcode(raw, enc, out latin1);
                if (problem != null) return problem;
                input = new MemoryStream(latin1, false);
                base64 = false;
            }
            else
            {
                return new[] { "unknown_encoding", "encoding \"" + enc + "\" is not supported (supported: " + string.Join(", ", Supported) + ")" };
            }
            using (var d = new EngineDecoder(input, base64))
            {
                records.AddRange(d.Records);
                Finding bad = d.FirstProblem;
                if (bad != null) return new[] { bad.Code, EngineDecoder.Describe(bad) };
                warnings.AddRange(d.Warnings);
            }
            return null;
        }

        private static bool Is(string a, string b)
        {
            return string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
        }
    }
}
