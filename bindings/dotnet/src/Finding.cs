using System;

namespace Eindkomst
{
    /// <summary>What kind of event a <see cref="Finding"/> is.</summary>
    public enum FindingType
    {
        /// <summary>A line that could not be decoded: counted as rejected, no record.</summary>
        Rejected = 1,
        /// <summary>A problem of the stream rather than of one line; no line is dropped by it.</summary>
        Error = 2,
        /// <summary>Something uncertain about a record that was decoded.</summary>
        Warning = 3,
    }

    /// <summary>
    /// A rejected line, a stream error or a warning, with its position. It never
    /// holds field contents, so it carries no CPR number and is safe to log.
    /// </summary>
    public sealed class Finding
    {
        internal Finding(FindingType type, int kind, string text, long line, long offset, int? lbNr, int? record,
            int? fieldNo, string fieldName, long expected, long found)
        {
            Type = type;
            KindNumber = kind;
            Kind = (FindingKind)kind;
            this.text = text;
            Line = line;
            Offset = offset;
            LbNr = lbNr;
            Record = record;
            FieldNo = fieldNo;
            FieldName = fieldName;
            Expected = expected;
            Found = found;
        }

        private readonly string text;

        /// <summary>Rejected line, stream error or warning.</summary>
        public FindingType Type { get; }
        /// <summary>What it is about (a number this version does not name stays as it is).</summary>
        public FindingKind Kind { get; }
        /// <summary>The kind's stable number.</summary>
        public int KindNumber { get; }
        /// <summary>The kind as a stable snake_case code ("not_digit"), the same in every binding.</summary>
        public string Code => FindingKinds.Code(Kind) == "unknown" ? "unknown_" + KindNumber : FindingKinds.Code(Kind);
        /// <summary>A short English description of the kind, without data values.</summary>
        public string Message => FindingKinds.Message(Kind);
        /// <summary>Physical line, 1-based (0 for a finding about the whole stream).</summary>
        public long Line { get; }
        /// <summary>Byte offset of the offending byte or field in the (Base64-decoded) stream.</summary>
        public long Offset { get; }
        /// <summary>The line's Lb_nr, when it could be read.</summary>
        public int? LbNr { get; }
        /// <summary>The line's record type, when it could be read.</summary>
        public int? Record { get; }
        /// <summary>The field number, when the finding names a field.</summary>
        public int? FieldNo { get; }
        /// <summary>The field's name, or "".</summary>
        public string FieldName { get; }
        /// <summary>The kind's first number (a limit, an expected length or count), else 0.</summary>
        public long Expected { get; }
        /// <summary>The kind's second number (a length, count or byte found), else 0.</summary>
        public long Found { get; }
        /// <summary>"rejected", "error" or "warning", as the CLI prints it.</summary>
        public string Label => Type == FindingType.Rejected ? "rejected" : Type == FindingType.Error ? "error" : "warning";
        /// <summary>Whether it stops a strict reader (a rejected line or a stream error).</summary>
        public bool IsFatal => Type != FindingType.Warning;

        /// <summary>
        /// The engine's one-line text, as the CLI prints it after "rejected: " etc.:
        /// <c>line 7 (Lb_nr 7), record 6001, field 4 Beloeb, offset 230: non-digit in numeric field</c>.
        /// </summary>
        public override string ToString() => text;
    }

    /// <summary>
    /// Strict mode met a rejected line or a stream error. Carries the
    /// <see cref="Finding"/> and its positions; the message holds no field
    /// contents (no CPR number).
    /// </summary>
    public sealed class EindkomstException : Exception
    {
        internal EindkomstException(Finding finding) : base(finding.Label + ": " + finding)
        {
            Finding = finding;
        }

        /// <summary>The finding that stopped the decoder.</summary>
        public Finding Finding { get; }
        /// <summary>What went wrong.</summary>
        public FindingKind Kind => Finding.Kind;
        /// <summary>Physical line, 1-based.</summary>
        public long Line => Finding.Line;
        /// <summary>The line's Lb_nr, when it could be read.</summary>
        public int? LbNr => Finding.LbNr;
        /// <summary>The line's record type, when known.</summary>
        public int? Record => Finding.Record;
        /// <summary>The field number, when a field is named.</summary>
        public int? FieldNo => Finding.FieldNo;
        /// <summary>The field's name, or "".</summary>
        public string FieldName => Finding.FieldName;
        /// <summary>0-based byte offset in the stream of the offending byte or field.</summary>
        public long Offset => Finding.Offset;
    }

    /// <summary>Accounting for one record type.</summary>
    public struct TypeCount
    {
        internal TypeCount(long decoded, long rejected)
        {
            Decoded = decoded;
            Rejected = rejected;
        }

        /// <summary>Lines of this type decoded.</summary>
        public long Decoded { get; }
        /// <summary>Lines of this type rejected.</summary>
        public long Rejected { get; }
    }

    /// <summary>What a decoder has seen. Invariant: <c>Lines == Decoded + Rejected</c>.</summary>
    public sealed class Counts
    {
        /// <summary>Lines seen (every line except one blank line at the very end).</summary>
        public long Lines { get; internal set; }
        /// <summary>Records decoded.</summary>
        public long Decoded { get; internal set; }
        /// <summary>Lines rejected.</summary>
        public long Rejected { get; internal set; }
        /// <summary>Warnings reported.</summary>
        public long Warnings { get; internal set; }
        /// <summary>Stream errors reported (not counting rejections).</summary>
        public long Errors { get; internal set; }
        /// <summary>Findings beyond the engine's per-line limit: counted, not reported.</summary>
        public long Suppressed { get; internal set; }
        /// <summary>Bytes of record data consumed (after Base64 decoding), terminators included.</summary>
        public long Bytes { get; internal set; }
        /// <summary>Rejected lines whose record type could not be read.</summary>
        public long RejectedUntyped { get; internal set; }
        /// <summary>Lines with an unknown record key passed through raw.</summary>
        public long Raw { get; internal set; }
        /// <summary>Per record type seen, in layout order.</summary>
        public System.Collections.Generic.IReadOnlyDictionary<int, TypeCount> ByType { get; internal set; }
    }
}
