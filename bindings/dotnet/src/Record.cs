using System;
using System.Collections.Generic;
using System.Text;

namespace Eindkomst
{
    /// <summary>
    /// A record read in place: a value type over the line's bytes in a buffer (the reader's
    /// chunk or batch area, or a <see cref="Record"/>'s own copy) with its layout. No copy and
    /// no object per record: <see cref="EindkomstReader.Record"/> gives one per event, valid
    /// until the reader moves on; <see cref="Copy"/> keeps it. The view itself is one
    /// reference (8 bytes), cheap to pass and copy: the reader keeps the current record's
    /// place in one object it reuses. Every field was validated by the engine, so the accessors
    /// only convert. <see cref="ToString"/> shows no field contents: a record may hold a CPR
    /// number, which must never reach a log.
    /// </summary>
    public struct RecordView
    {
        private static readonly Encoding Latin1 = Encoding.GetEncoding("ISO-8859-1");
        private static readonly long[] Pow10 =
        {
            1L, 10L, 100L, 1000L, 10000L, 100000L, 1000000L, 10000000L, 100000000L, 1000000000L, 10000000000L,
            100000000000L, 1000000000000L, 10000000000000L, 100000000000000L, 1000000000000000L,
            10000000000000000L, 100000000000000000L,
        };

        private readonly RecordData d;

        internal RecordView(RecordData data)
        {
            d = data;
        }

        internal RecordView(byte[] buf, int pos, Layout layout, long line, int lbNr, long offset, int amountScale,
            ulong permitted, int pseudonymAt)
        {
            d = new RecordData
            {
                Buf = buf, Pos = pos, Layout = layout, Line = line, LbNr = lbNr, Offset = offset,
                AmountScale = amountScale, Permitted = permitted, PseudonymAt = pseudonymAt,
            };
        }

        private byte[] Buf => d.Buf;
        private int Pos => d.Pos;
        private int PseudonymAt => d.PseudonymAt; // -1: none
        private int AmountScale => d.AmountScale;
        private ulong Permitted => d.Permitted; // bit n: field n shown
        private Layout layout => d.Layout;
        private long line => d.Line;
        private int lbNr => d.LbNr;
        private long offset => d.Offset;

        /// <summary>The layout the record was decoded with (variant included).</summary>
        public Layout Layout => layout;
        /// <summary>The record type (employer <c>Rec_nr</c>: 1000, 2001, ..., 9999).</summary>
        public int RecordType => layout.RecordType;
        /// <summary>Physical line, 1-based.</summary>
        public long Line => line;
        /// <summary>The line number written in the line (employer <c>Lb_nr</c>); 0 in a family without one.</summary>
        public int LbNr => lbNr;
        /// <summary>Byte offset of the line in the (Base64-decoded) stream.</summary>
        public long Offset => offset;

        /// <summary>Whether the reader's filter shows field <paramref name="no"/> (always without a filter).</summary>
        public bool IsPermitted(int no) => no >= 0 && no < 64 ? (Permitted >> no & 1) == 1 : Permitted == ulong.MaxValue;

        /// <summary>
        /// The pseudonym in place of the CPR (16 lowercase hex characters) when the filter has a key,
        /// the record has a CPR and the profile shows the CPR field; else null.
        /// </summary>
        public string Pseudonym
        {
            get
            {
                if (PseudonymAt < 0) return null;
                foreach (Field f in layout.Fields)
                    if (f.Personal && !IsPermitted(f.No)) return null;
                return Encoding.ASCII.GetString(Buf, PseudonymAt, 16);
            }
        }

        /// <summary>A copy of the line's bytes (ISO-8859-1), without its terminator.</summary>
        public byte[] GetBytes()
        {
            var b = new byte[layout.Length];
            Buffer.BlockCopy(Buf, Pos, b, 0, b.Length);
            return b;
        }

        private Field FieldOf(int no)
        {
            Field f = layout.Field(no);
            if (f == null) throw new ArgumentException($"record {layout.Key} has no field {no}", nameof(no));
            return f;
        }

        private bool IsBlank(int start, int len)
        {
            for (int i = Pos + start, end = i + len; i < end; i++)
                if (Buf[i] != (byte)' ') return false;
            return true;
        }

        private long Digits(int start, int len, int no)
        {
            long n = 0;
            for (int i = Pos + start, end = i + len; i < end; i++)
            {
                int d = Buf[i] - '0';
                if ((uint)d > 9) throw new InvalidOperationException($"field {no} of record {layout.Key} is not a number");
                n = n * 10 + d;
            }
            return n;
        }

        /// <summary>Field <paramref name="no"/> exactly as it stands in the line.</summary>
        public string Raw(int no)
        {
            Field f = FieldOf(no);
            return Latin1.GetString(Buf, Pos + f.Start, f.Length);
        }

        /// <summary>Field <paramref name="no"/> without trailing blanks (the CLI's <c>--raw</c> value);
        /// the pseudonym for the CPR field of a pseudonymised record.</summary>
        public string Value(int no)
        {
            Field f = FieldOf(no);
            if (f.Personal && PseudonymAt >= 0)
            {
                string p = Pseudonym;
                if (p != null) return p;
            }
            int end = f.Start + f.Length;
            while (end > f.Start && Buf[Pos + end - 1] == (byte)' ') end--;
            return Latin1.GetString(Buf, Pos + f.Start, end - f.Start);
        }

        /// <summary>The field named <paramref name="name"/> without trailing blanks.</summary>
        public string Value(string name)
        {
            Field f = layout.Field(name);
            if (f == null) throw new ArgumentException($"record {layout.Key} has no field {name}", nameof(name));
            return Value(f.No);
        }

        /// <summary>Field <paramref name="no"/> trimmed of blanks on both sides.</summary>
        public string Text(int no) => Value(no).TrimStart(' ');

        /// <summary>Every field shown, by number, in line order, trailing blanks trimmed (the CLI's <c>--raw</c>).</summary>
        public IList<KeyValuePair<int, string>> Fields()
        {
            var list = new List<KeyValuePair<int, string>>(layout.Fields.Count);
            foreach (Field f in layout.Fields)
                if (IsPermitted(f.No)) list.Add(new KeyValuePair<int, string>(f.No, Value(f.No)));
            return list;
        }

        /// <summary>A numeric field as a number; null when blank.</summary>
        public long? Number(int no)
        {
            Field f = FieldOf(no);
            if (f.Type != FieldType.Numeric)
                throw new ArgumentException($"field {no} of record {layout.Key} is not numeric", nameof(no));
            return IsBlank(f.Start, f.Length) ? (long?)null : Digits(f.Start, f.Length, no);
        }

        /// <summary>A <c>YYYYMMDD</c> field; null when blank or all zeros.</summary>
        public DateTime? Date(int no)
        {
            Field f = FieldOf(no);
            if (f.Format != FieldFormat.Date)
                throw new ArgumentException($"field {no} of record {layout.Key} is not a date", nameof(no));
            if (IsBlank(f.Start, f.Length)) return null;
            long d = Digits(f.Start, f.Length, no);
            return d == 0 ? (DateTime?)null : new DateTime((int)(d / 10000), (int)(d / 100 % 100), (int)(d % 100));
        }

        /// <summary>A <c>HHMMSS</c> field; null when blank.</summary>
        public TimeSpan? Time(int no)
        {
            Field f = FieldOf(no);
            if (f.Format != FieldFormat.Time)
                throw new ArgumentException($"field {no} of record {layout.Key} is not a time", nameof(no));
            if (IsBlank(f.Start, f.Length)) return null;
            long t = Digits(f.Start, f.Length, no);
            return new TimeSpan((int)(t / 10000), (int)(t / 100 % 100), (int)(t % 100));
        }

        /// <summary>An amount, quantity or count with the sign of the field after it, exact; null when blank.</summary>
        public decimal? Decimal(int no)
        {
            Field f = FieldOf(no);
            int scale;
            if (f.Format == FieldFormat.Amount) scale = AmountScale;
            else if (f.Format == FieldFormat.Quantity) scale = f.Decimals;
            else if (f.Role == FieldRole.Count) scale = 0;
            else throw new ArgumentException($"field {no} of record {layout.Key} is not an amount", nameof(no));
            if (IsBlank(f.Start, f.Length)) return null;
            long units = Digits(f.Start, f.Length, no);
            int next = IndexOf(f) + 1;
            bool negative = next < layout.Fields.Count && layout.Fields[next].Format == FieldFormat.Sign
                && Buf[Pos + layout.Fields[next].Start] == (byte)'-';
            return new decimal((int)units, (int)(units >> 32), 0, negative, (byte)scale);
        }

        private int IndexOf(Field f)
        {
            for (int i = 0; i < layout.Fields.Count; i++)
                if (ReferenceEquals(layout.Fields[i], f)) return i;
            return -1;
        }

        /// <summary>The CPR number (the field with role cpr), when given. Personal data: never log it.</summary>
        public string Cpr
        {
            get
            {
                Field f = layout.Field(FieldRole.Cpr);
                if (f == null || IsBlank(f.Start, f.Length)) return null;
                for (int i = Pos + f.Start; i < Pos + f.Start + f.Length; i++)
                    if (Buf[i] != (byte)'0') return Raw(f.No);
                return null;
            }
        }

        /// <summary>The SE-nr the record names (role se, person_se or sender_se).</summary>
        public int? SeNr
        {
            get
            {
                Field f = layout.Field(FieldRole.Se) ?? layout.Field(FieldRole.PersonSe) ?? layout.Field(FieldRole.SenderSe);
                if (f == null || IsBlank(f.Start, f.Length)) return null;
                long n = Digits(f.Start, f.Length, f.No);
                return n != 0 ? (int?)n : null;
            }
        }

        /// <summary>The feltnummer (role feltnummer: employer 3101, 6001-6005); null when none.</summary>
        public int? Feltnummer
        {
            get
            {
                int n = FeltnummerOrMinus1;
                return n < 0 ? (int?)null : n;
            }
        }

        /// <summary>The feltnummer, or -1: no allocation.</summary>
        public int FeltnummerOrMinus1
        {
            get
            {
                Layout l = layout;
                if (l.FeltStart < 0) return -1;
                byte[] buf = Buf;
                int n = 0;
                for (int i = Pos + l.FeltStart, end = i + l.FeltLen; i < end; i++)
                {
                    int d = buf[i] - '0';
                    if ((uint)d > 9) return -1;
                    n = n * 10 + d;
                }
                return n;
            }
        }

        /// <summary>The first amount of the record (role amount) with its sign, exact.</summary>
        public decimal? Amount
        {
            get
            {
                if (layout.AmountStart < 0) return null;
                foreach (Field f in layout.Fields)
                    if (f.Start == layout.AmountStart) return Decimal(f.No);
                return null;
            }
        }

        /// <summary>The first amount in øre with its sign; null when none. No allocation.</summary>
        /// <exception cref="OverflowException">The amount has digits below 1 øre.</exception>
        public long? AmountOre
        {
            get
            {
                long ore = AmountOreOr(Blank);
                return ore == Blank ? (long?)null : ore;
            }
        }

        /// <summary>No amount has 19 digits: <see cref="AmountOreOr"/>'s mark for "none" inside.</summary>
        private const long Blank = long.MinValue;

        /// <summary>The first amount in øre with its sign, or <paramref name="orElse"/> when the record
        /// has none or it is blank: <c>AmountOre ?? orElse</c> without the nullable, for hot loops.</summary>
        /// <exception cref="OverflowException">The amount has digits below 1 øre.</exception>
        public unsafe long AmountOreOr(long orElse)
        {
            Layout l = layout;
            if (l.AmountStart < 0 || l.AmountLen == 0) return orElse;
            int scale = l.AmountDecimals >= 0 ? l.AmountDecimals : AmountScale;
            // One pass, no division: the digits down to 1 øre make the number, the digits
            // below 1 øre must be zeros. A field that is not all digits is blank (null) or
            // throws as Digits.
            byte[] buf = Buf;
            int start = Pos + l.AmountStart, end = start + l.AmountLen;
            if (start < 0 || end > buf.Length) throw new IndexOutOfRangeException();
            int cut = scale > 2 ? Math.Max(start, end - (scale - 2)) : end;
            long units;
            fixed (byte* b = buf)
            {
                units = ParseDigits(b, start, cut);
                if (units < 0) return AmountOreChecked(scale) ?? orElse;
                if (end - cut == 4)
                {
                    if (*(uint*)(b + cut) != 0x30303030u) return AmountOreChecked(scale) ?? orElse; // "0000", either byte order
                }
                else
                {
                    for (int i = cut; i < end; i++)
                        if (b[i] != (byte)'0') return AmountOreChecked(scale) ?? orElse;
                }
            }
            long ore = scale < 2 ? units * Pow10[2 - scale] : units;
            return l.SignAt >= 0 && buf[Pos + l.SignAt] == (byte)'-' ? -ore : ore;
        }

        /// <summary>The digits at <paramref name="from"/>..<paramref name="to"/> as a number, eight at a
        /// time (SWAR: one 64-bit load, a check and three multiplications), then four, then one by
        /// one, or -1 when one is not a digit. The caller checks the bounds.</summary>
        private static unsafe long ParseDigits(byte* b, int from, int to)
        {
            if (!BitConverter.IsLittleEndian) return ParseDigitsSlow(b, from, to);
            long n = 0;
            int i = from;
            for (; to - i >= 8; i += 8)
            {
                ulong v = *(ulong*)(b + i); // unaligned loads are fine on every platform Mono/.NET run this on
                // Every byte 0x30..0x39: high nibble 3, and still 3 after adding 6.
                if ((((v & 0xF0F0F0F0F0F0F0F0UL) ^ 0x3030303030303030UL)
                    | (((v + 0x0606060606060606UL) & 0xF0F0F0F0F0F0F0F0UL) ^ 0x3030303030303030UL)) != 0)
                    return -1;
                v = (v & 0x0F0F0F0F0F0F0F0FUL) * 2561 >> 8;
                v = (v & 0x00FF00FF00FF00FFUL) * 6553601 >> 16;
                v = (v & 0x0000FFFF0000FFFFUL) * 42949672960001UL >> 32;
                n = n * 100000000 + (long)v;
            }
            if (to - i >= 4)
            {
                // Four more at once: the 12 digits down to 1 øre of a 16-digit amount are 8 + 4.
                uint v = *(uint*)(b + i);
                if ((((v & 0xF0F0F0F0u) ^ 0x30303030u) | (((v + 0x06060606u) & 0xF0F0F0F0u) ^ 0x30303030u)) != 0)
                    return -1;
                n = n * 10000 + ((v & 0xF) * 1000 + (v >> 8 & 0xF) * 100 + (v >> 16 & 0xF) * 10 + (v >> 24 & 0xF));
                i += 4;
            }
            for (; i < to; i++)
            {
                int d = b[i] - '0';
                if ((uint)d > 9) return -1;
                n = n * 10 + d;
            }
            return n;
        }

        private static unsafe long ParseDigitsSlow(byte* b, int from, int to)
        {
            long n = 0;
            for (int i = from; i < to; i++)
            {
                int d = b[i] - '0';
                if ((uint)d > 9) return -1;
                n = n * 10 + d;
            }
            return n;
        }

        /// <summary><see cref="AmountOre"/> for a field that is not plain digits down to 1 øre:
        /// null when blank; throws when not a number or with digits below 1 øre.</summary>
        private long? AmountOreChecked(int scale)
        {
            if (IsBlank(layout.AmountStart, layout.AmountLen)) return null;
            long units = Digits(layout.AmountStart, layout.AmountLen, 0);
            long ore;
            if (scale <= 2)
            {
                ore = units * Pow10[2 - scale];
            }
            else
            {
                long div = Pow10[scale - 2];
                if (units % div != 0) throw new OverflowException($"amount of record {layout.Key} line {line} has digits below 1 øre");
                ore = units / div;
            }
            return layout.SignAt >= 0 && Buf[Pos + layout.SignAt] == (byte)'-' ? -ore : ore;
        }

        /// <summary>An owned copy that stays valid after the reader moves on.</summary>
        public Record Copy()
        {
            int n = layout.Length + (PseudonymAt >= 0 ? 16 : 0);
            var b = new byte[n];
            Buffer.BlockCopy(Buf, Pos, b, 0, layout.Length);
            if (PseudonymAt >= 0) Buffer.BlockCopy(Buf, PseudonymAt, b, layout.Length, 16);
            return new Record(new RecordView(b, 0, layout, line, lbNr, offset, AmountScale, Permitted,
                PseudonymAt >= 0 ? layout.Length : -1));
        }

        /// <summary><c>Record 6001 line 11 (Lb_nr 11)</c>: no field contents.</summary>
        public override string ToString() => $"Record {layout.Key} line {line} (Lb_nr {lbNr})";
    }

    /// <summary>Where a <see cref="RecordView"/>'s record is: the reader's one reused instance
    /// (moved from record to record), or a <see cref="Record"/>'s own.</summary>
    internal sealed class RecordData
    {
        internal byte[] Buf;
        internal int Pos;
        internal int PseudonymAt = -1; // -1: none
        internal int AmountScale;
        internal ulong Permitted = ulong.MaxValue; // bit n: field n shown
        internal Layout Layout;
        internal long Line;
        internal int LbNr;
        internal long Offset;
    }

    /// <summary>
    /// One decoded record, owned: a copy of its line with its layout, valid as long as it is
    /// kept. The reader's enumerator gives these; <see cref="RecordView.Copy"/> makes one.
    /// Accessors as <see cref="RecordView"/>.
    /// </summary>
    public sealed class Record
    {
        private readonly RecordView v;

        internal Record(RecordView view)
        {
            v = view;
        }

        /// <summary>The record as a view (over this record's own bytes).</summary>
        public RecordView View => v;
        /// <summary>The layout the record was decoded with.</summary>
        public Layout Layout => v.Layout;
        /// <summary>The record type.</summary>
        public int RecordType => v.RecordType;
        /// <summary>Physical line, 1-based.</summary>
        public long Line => v.Line;
        /// <summary>The line number written in the line (employer <c>Lb_nr</c>).</summary>
        public int LbNr => v.LbNr;
        /// <summary>Byte offset of the line in the stream.</summary>
        public long Offset => v.Offset;
        /// <summary>The pseudonym in place of the CPR, or null.</summary>
        public string Pseudonym => v.Pseudonym;
        /// <summary>Whether the filter shows field <paramref name="no"/>.</summary>
        public bool IsPermitted(int no) => v.IsPermitted(no);
        /// <summary>A copy of the line's bytes (ISO-8859-1).</summary>
        public byte[] GetBytes() => v.GetBytes();
        /// <summary>Field <paramref name="no"/> as it stands.</summary>
        public string Raw(int no) => v.Raw(no);
        /// <summary>Field <paramref name="no"/> without trailing blanks.</summary>
        public string Value(int no) => v.Value(no);
        /// <summary>The field named <paramref name="name"/> without trailing blanks.</summary>
        public string Value(string name) => v.Value(name);
        /// <summary>Field <paramref name="no"/> trimmed on both sides.</summary>
        public string Text(int no) => v.Text(no);
        /// <summary>Every field shown, by number (the CLI's <c>--raw</c>).</summary>
        public IList<KeyValuePair<int, string>> Fields() => v.Fields();
        /// <summary>A numeric field; null when blank.</summary>
        public long? Number(int no) => v.Number(no);
        /// <summary>A date field; null when blank or zeros.</summary>
        public DateTime? Date(int no) => v.Date(no);
        /// <summary>A time field; null when blank.</summary>
        public TimeSpan? Time(int no) => v.Time(no);
        /// <summary>An amount, quantity or count with its sign; null when blank.</summary>
        public decimal? Decimal(int no) => v.Decimal(no);
        /// <summary>The CPR number, when given. Personal data.</summary>
        public string Cpr => v.Cpr;
        /// <summary>The SE-nr the record names.</summary>
        public int? SeNr => v.SeNr;
        /// <summary>The feltnummer.</summary>
        public int? Feltnummer => v.Feltnummer;
        /// <summary>The first amount with its sign.</summary>
        public decimal? Amount => v.Amount;
        /// <summary>The first amount in øre.</summary>
        public long? AmountOre => v.AmountOre;
        /// <summary>The first amount in øre, or <paramref name="orElse"/>.</summary>
        public long AmountOreOr(long orElse) => v.AmountOreOr(orElse);
        /// <summary>No field contents.</summary>
        public override string ToString() => v.ToString();
    }
}
