using System;
using System.Globalization;
using System.Text;

namespace Eindkomst
{
    /// <summary>
    /// A rejected line, a stream error or a warning, with its position. It never
    /// holds field contents, so it carries no CPR number and is safe to log.
    /// </summary>
    public sealed class Finding
    {
        internal Finding(FindingType type, ErrorKind kind, string code, string message, long seq, long line,
            long offset, int? lbNr, int? record, int? fieldNo, string fieldName, long expected, long found)
        {
            Type = type;
            Kind = kind;
            Code = code;
            Message = message;
            Seq = seq;
            Line = line;
            Offset = offset;
            LbNr = lbNr;
            Record = record;
            FieldNo = fieldNo;
            FieldName = fieldName;
            Expected = expected;
            Found = found;
        }

        /// <summary>Rejected line, stream error or warning.</summary>
        public FindingType Type { get; }
        /// <summary>What went wrong.</summary>
        public ErrorKind Kind { get; }
        /// <summary>The kind as a stable snake_case string ("not_digit"), the same in every binding.</summary>
        public string Code { get; }
        /// <summary>A short English description of the kind, without data values.</summary>
        public string Message { get; }
        /// <summary>Position in the decoder's sequence of records and findings (<see cref="Eindkomst.Record.Seq"/>).</summary>
        public long Seq { get; }
        /// <summary>Physical line, 1-based (0 for a finding before any line).</summary>
        public long Line { get; }
        /// <summary>0-based byte offset in the (Base64-decoded) stream of the offending byte or field.</summary>
        public long Offset { get; }
        /// <summary>The line's Lb_nr, when it could be read.</summary>
        public int? LbNr { get; }
        /// <summary>The line's record type (6001), when known.</summary>
        public int? Record { get; }
        /// <summary>The field number ("felt"), when the finding names a field.</summary>
        public int? FieldNo { get; }
        /// <summary>The field's name ("Beloeb"), or "" when the finding names no field.</summary>
        public string FieldName { get; }
        /// <summary>A number the kind carries (see <see cref="ErrorKind"/>), else 0.</summary>
        public long Expected { get; }
        /// <summary>A number the kind carries (see <see cref="ErrorKind"/>), else 0.</summary>
        public long Found { get; }

        /// <summary>"rejected", "error" or "warning", as the CLI prints it.</summary>
        public string Label => Type == FindingType.Rejected ? "rejected" : Type == FindingType.Error ? "error" : "warning";

        /// <summary>
        /// One line, as the CLI prints it after "rejected: " etc.:
        /// <c>line 7 (Lb_nr 7), record 6001, field 4 Beloeb, offset 230: non-digit in numeric field</c>.
        /// </summary>
        public override string ToString()
        {
            var ci = CultureInfo.InvariantCulture;
            var s = new StringBuilder(96).Append("line ").Append(Line.ToString(ci));
            if (LbNr.HasValue) s.Append(" (Lb_nr ").Append(LbNr.Value.ToString(ci)).Append(')');
            if (Record.HasValue) s.Append(", record ").Append(Record.Value.ToString("D4", ci));
            if (FieldNo.HasValue) s.Append(", field ").Append(FieldNo.Value.ToString(ci)).Append(' ').Append(FieldName);
            s.Append(", offset ").Append(Offset.ToString(ci)).Append(": ").Append(Message);
            switch (Kind)
            {
                case ErrorKind.WrongLength:
                case ErrorKind.LbNrGap:
                case ErrorKind.LbNrRepeat:
                    s.Append(" (expected ").Append(Expected.ToString(ci)).Append(", found ").Append(Found.ToString(ci)).Append(')');
                    break;
                case ErrorKind.LineTooLong:
                    s.Append(" (limit ").Append(Expected.ToString(ci)).Append(')');
                    break;
                case ErrorKind.ByteOutsideCharset:
                case ErrorKind.InvalidBase64:
                    s.Append(" (byte 0x").Append(Found.ToString("X2", ci)).Append(')');
                    break;
                case ErrorKind.OutOfOrder:
                    s.Append(" (needs an open ").Append(Expected.ToString("D4", ci)).Append(')');
                    break;
                case ErrorKind.ControlCount:
                    s.Append(" (counted ").Append(Expected.ToString(ci)).Append(", stated ").Append(Found.ToString(ci)).Append(')');
                    break;
            }
            return s.ToString();
        }
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
        public ErrorKind Kind => Finding.Kind;
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
        /// <summary>Per record type seen, in layout order.</summary>
        public System.Collections.Generic.IReadOnlyDictionary<int, TypeCount> ByType { get; internal set; }
    }
}
