using System;
using System.Collections.Generic;
using System.Text;

namespace Eindkomst
{
    /// <summary>
    /// One decoded record: its line's bytes (a copy, ISO-8859-1) with its layout.
    /// Every field was validated by the engine, so the accessors only convert.
    /// <see cref="ToString"/> shows no field contents: a record may hold a CPR
    /// number (<see cref="Cpr"/>), which must never be logged.
    /// </summary>
    public sealed class Record
    {
        private static readonly Encoding latin1 = Encoding.GetEncoding(28591);
        private readonly byte[] bytes;
        private readonly int amountScale;
        private readonly ulong permitted = ulong.MaxValue;

        internal Record(Layout layout, byte[] bytes, long line, long offset, long seq, int lbNr, int amountScale,
            ulong permitted, string pseudonym)
            : this(layout, bytes, line, offset, seq, lbNr, amountScale)
        {
            this.permitted = permitted;
            // Shown only where the CPR would be (as the CLI): not when the profile forbids the CPR field.
            if (pseudonym != null)
                foreach (Field f in layout.Fields)
                    if (f.Personal && !IsPermitted(f.No)) pseudonym = null;
            Pseudonym = pseudonym;
        }

        internal Record(Layout layout, byte[] bytes, long line, long offset, long seq, int lbNr, int amountScale)
        {
            Layout = layout;
            this.bytes = bytes;
            Line = line;
            Offset = offset;
            Seq = seq;
            LbNr = lbNr;
            this.amountScale = amountScale;
        }

        /// <summary>The layout the record was decoded with (variant included).</summary>
        public Layout Layout { get; }
        /// <summary>The record type (<c>Rec_nr</c>): 1000, 2001, ..., 9999.</summary>
        public int RecordType => Layout.RecordType;
        /// <summary>Physical line, 1-based.</summary>
        public long Line { get; }
        /// <summary>The record's <c>Lb_nr</c> (running number written in the file).</summary>
        public int LbNr { get; }
        /// <summary>Byte offset of the line's first byte in the (Base64-decoded) stream.</summary>
        public long Offset { get; }
        /// <summary>Position in the decoder's sequence of records and findings (<see cref="Finding.Seq"/>).</summary>
        public long Seq { get; }

        /// <summary>
        /// The pseudonym that replaces this record's CPR (16 lowercase hex characters) when the reader's
        /// <see cref="FilterOptions.PseudonymKey"/> is set, the record has a CPR and the profile permits
        /// the CPR field; else null. The CPR field itself is then blank in the line, and
        /// <see cref="Value(int)"/> / <see cref="Fields"/> give the pseudonym in its place (as the CLI).
        /// </summary>
        public string Pseudonym { get; }

        /// <summary>Whether the reader's <see cref="Profile"/> lets field <paramref name="no"/> through
        /// (always true without a filter). A field not permitted is blank in the line and left out of
        /// <see cref="Fields"/>.</summary>
        public bool IsPermitted(int no) => no >= 0 && no < 64 ? (permitted >> no & 1) == 1 : permitted == ulong.MaxValue;

        /// <summary>A copy of the line's bytes (ISO-8859-1), without its terminator.</summary>
        public byte[] GetBytes() => (byte[])bytes.Clone();

        private Field FieldOf(int no)
        {
            Field f = Layout.Field(no);
            if (f == null) throw new ArgumentException($"record {RecordType} has no field {no}", nameof(no));
            return f;
        }

        private bool IsBlank(Field f)
        {
            for (int i = f.Start, end = f.Start + f.Length; i < end; i++)
                if (bytes[i] != (byte)' ') return false;
            return true;
        }

        private long Digits(Field f)
        {
            long n = 0;
            for (int i = f.Start, end = f.Start + f.Length; i < end; i++)
            {
                int d = bytes[i] - '0';
                if (d < 0 || d > 9)
                    throw new InvalidOperationException($"field {f.No} of record {RecordType} is not a number");
                n = n * 10 + d;
            }
            return n;
        }

        /// <summary>Field <paramref name="no"/> exactly as it stands in the line.</summary>
        public string Raw(int no)
        {
            Field f = FieldOf(no);
            return latin1.GetString(bytes, f.Start, f.Length);
        }

        /// <summary>Field <paramref name="no"/> without trailing blanks (the CLI's <c>--raw</c> value).</summary>
        public string Value(int no)
        {
            Field f = FieldOf(no);
            if (Pseudonym != null && f.Personal) return Pseudonym;
            int end = f.Start + f.Length;
            while (end > f.Start && bytes[end - 1] == (byte)' ') end--;
            return latin1.GetString(bytes, f.Start, end - f.Start);
        }

        /// <summary>The field named <paramref name="name"/> without trailing blanks.</summary>
        public string Value(string name)
        {
            Field f = Layout.Field(name);
            if (f == null) throw new ArgumentException($"record {RecordType} has no field {name}", nameof(name));
            return Value(f.No);
        }

        /// <summary>Field <paramref name="no"/> trimmed of blanks on both sides.</summary>
        public string Text(int no) => Value(no).TrimStart(' ');

        /// <summary>Every field by number, in line order, trailing blanks trimmed (the CLI's <c>--raw</c>);
        /// with a filter, only the fields its profile permits, the CPR replaced by its pseudonym.</summary>
        public IList<KeyValuePair<int, string>> Fields()
        {
            var list = new List<KeyValuePair<int, string>>(Layout.Fields.Count);
            foreach (Field f in Layout.Fields)
                if (IsPermitted(f.No)) list.Add(new KeyValuePair<int, string>(f.No, Value(f.No)));
            return list;
        }

        /// <summary>A numeric field as a number; null when blank.</summary>
        public long? Number(int no)
        {
            Field f = FieldOf(no);
            if (f.Type != FieldType.Numeric)
                throw new ArgumentException($"field {no} of record {RecordType} is not numeric", nameof(no));
            return IsBlank(f) ? (long?)null : Digits(f);
        }

        /// <summary>A <c>YYYYMMDD</c> field; null when blank or all zeros.</summary>
        public DateTime? Date(int no)
        {
            Field f = FieldOf(no);
            if (f.Format != FieldFormat.Date)
                throw new ArgumentException($"field {no} of record {RecordType} is not a date", nameof(no));
            if (IsBlank(f)) return null;
            long d = Digits(f);
            return d == 0 ? (DateTime?)null : new DateTime((int)(d / 10000), (int)(d / 100 % 100), (int)(d % 100));
        }

        /// <summary>A <c>HHMMSS</c> field; null when blank.</summary>
        public TimeSpan? Time(int no)
        {
            Field f = FieldOf(no);
            if (f.Format != FieldFormat.Time)
                throw new ArgumentException($"field {no} of record {RecordType} is not a time", nameof(no));
            if (IsBlank(f)) return null;
            long t = Digits(f);
            return new TimeSpan((int)(t / 10000), (int)(t / 100 % 100), (int)(t % 100));
        }

        /// <summary>An amount or quantity field with the sign of the field after it, exact; null when blank.</summary>
        public decimal? Decimal(int no)
        {
            Field f = FieldOf(no);
            int scale;
            if (f.Format == FieldFormat.Amount) scale = amountScale;
            else if (f.Format == FieldFormat.Quantity) scale = f.Decimals;
            else throw new ArgumentException($"field {no} of record {RecordType} is not an amount", nameof(no));
            if (IsBlank(f)) return null;
            long units = Digits(f);
            int next = IndexOf(f) + 1;
            bool negative = next < Layout.Fields.Count && Layout.Fields[next].Format == FieldFormat.Sign
                && bytes[Layout.Fields[next].Start] == (byte)'-';
            return new decimal((int)units, (int)(units >> 32), 0, negative, (byte)scale);
        }

        private int IndexOf(Field f)
        {
            for (int i = 0; i < Layout.Fields.Count; i++)
                if (ReferenceEquals(Layout.Fields[i], f)) return i;
            return -1;
        }

        /// <summary>The CPR number of a 2101, 4101 or 6000 record, when given (10 digits). Personal data: never log it.</summary>
        public string Cpr
        {
            get
            {
                foreach (Field f in Layout.Fields)
                {
                    if (!f.Personal) continue;
                    if (IsBlank(f)) return null;
                    for (int i = f.Start; i < f.Start + f.Length; i++)
                        if (bytes[i] != (byte)'0') return Raw(f.No);
                    return null;
                }
                return null;
            }
        }

        /// <summary>The SE-nr of a 1000 (the reporter), a 2001 (the employer) or a 6000 (a company paid a fee).</summary>
        public int? SeNr
        {
            get
            {
                string name;
                switch (RecordType)
                {
                    case 1000: name = "Indberetter_SE_nr"; break;
                    case 2001: name = "Virksomhed_SE_nr"; break;
                    case 6000: name = "Person_CVR_SE_nr"; break;
                    default: return null;
                }
                long? n = Number(Layout.Field(name).No);
                return n.HasValue && n.Value != 0 ? (int?)n.Value : null;
            }
        }

        /// <summary>The <c>Feltnummer</c> of a 3101 or 6001-6005 record.</summary>
        public int? Feltnummer
        {
            get
            {
                Field f = Layout.Field("Feltnummer");
                return f == null || IsBlank(f) ? (int?)null : (int)Digits(f);
            }
        }

        /// <summary>The first amount of the record (6001 Beloeb, 3101 Beloeb, 6102/6202 Beloeb_feriepenge,
        /// 6111 Beloeb) with its sign, exact; null when none.</summary>
        public decimal? Amount
        {
            get
            {
                foreach (Field f in Layout.Fields)
                    if (f.Format == FieldFormat.Amount) return Decimal(f.No);
                return null;
            }
        }

        /// <summary><see cref="Amount"/> in øre; null when none.</summary>
        /// <exception cref="ArithmeticException">The amount has digits below 1 øre.</exception>
        public long? AmountOre
        {
            get
            {
                decimal? a = Amount;
                if (!a.HasValue) return null;
                decimal ore = a.Value * 100m;
                if (ore != System.Decimal.Truncate(ore)) throw new ArithmeticException("amount has digits below 1 øre");
                return (long)ore;
            }
        }

        /// <summary><c>Record 6001 line 11 (Lb_nr 11)</c>: no field contents.</summary>
        public override string ToString() => $"Record {RecordType:D4} line {Line} (Lb_nr {LbNr})";
    }
}
