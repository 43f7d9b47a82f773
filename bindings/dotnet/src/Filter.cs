using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace Eindkomst
{
    /// <summary>
    /// Dataafgrænsning: which records and fields a reader passes on (see
    /// <c>docs/filtering.md</c>). Give it to
    /// <c>new EindkomstReader(stream, options, filter)</c>; the reader then
    /// yields only the kept records, projected by <see cref="Profile"/> (forbidden fields are
    /// blanks in the line and absent from <see cref="Record.Fields"/>), with the CPR replaced by its
    /// pseudonym when <see cref="PseudonymKey"/> is set.
    /// <code>
    /// var filter = new FilterOptions { RecordTypes = new[] { 6001 }, Profile = Profile.Minimal };
    /// using (var reader = new EindkomstReader(File.OpenRead(path), null, filter)) { ... }
    /// </code>
    /// A set left null does not restrict; an empty set keeps nothing of its dimension. Order and
    /// repeats do not matter. The sets are copied when the reader is made.
    /// </summary>
    public sealed class FilterOptions
    {
        /// <summary>Persons to keep (2101, 6000, 4101 with a CPR): 10 digits, a hyphen after the
        /// sixth allowed. A person's records (6001-6005, ...) go with their 6000.</summary>
        public IEnumerable<string> Cprs { get; set; }

        /// <summary>Employers to keep (2001 <c>Virksomhed_SE_nr</c>).</summary>
        public IEnumerable<int> SeNrs { get; set; }

        /// <summary>Record types to keep; the headers (1000, 2001, 5000, 6000) of kept records pass too.</summary>
        public IEnumerable<int> RecordTypes { get; set; }

        /// <summary>Felt numbers to keep (<c>Feltnummer</c> of 3101, 6001-6005); records without one are not affected.</summary>
        public IEnumerable<int> Feltnumre { get; set; }

        /// <summary>Income period (5000 Lønperiode, 3101 Periode) that a record must overlap; null: any.</summary>
        public Period Period { get; set; }

        /// <summary>Permitted record types and fields (default <see cref="Eindkomst.Profile.Full"/>).</summary>
        public Profile Profile { get; set; } = Profile.Full;

        /// <summary>Pseudonymisation key (at least 16 bytes): the CPR field is blanked and
        /// <see cref="Record.Pseudonym"/> (HMAC-SHA-256, 16 hex characters) takes its place. Null: no
        /// pseudonymisation. Keep it secret; the same key gives the same pseudonyms.</summary>
        public byte[] PseudonymKey { get; set; }

        /// <summary>Shortest key <see cref="PseudonymKey"/> accepts, as the CLI's <c>--pseudonymise-key-file</c>.</summary>
        public const int MinKeyLength = 16;

        internal static byte[] CheckKey(byte[] key, string name)
        {
            if (key == null) throw new ArgumentNullException(name);
            if (key.Length < MinKeyLength)
                throw new ArgumentException($"a pseudonymisation key needs at least {MinKeyLength} bytes", name);
            return (byte[])key.Clone();
        }

        /// <summary>The CPR numbers as 10 ASCII digits each, sorted, without repeats; null for null.
        /// The error names no CPR.</summary>
        /// <summary>
        /// The filter as the engine's JSON text (the FilterSpec shape of every face,
        /// docs/filtering.md), without the key, which goes to the engine apart. It holds the
        /// CPR numbers: never log it.
        /// </summary>
        /// <exception cref="ArgumentException">A CPR number that is not 10 digits, a value out of range.</exception>
        public string ToJson()
        {
            var parts = new List<string>();
            int n;
            byte[] cprs = CprBytes(Cprs, out n);
            if (cprs != null)
            {
                var list = new List<string>();
                for (int i = 0; i < n; i++) list.Add("\"" + System.Text.Encoding.ASCII.GetString(cprs, i * 10, 10) + "\"");
                parts.Add("\"cprs\":[" + string.Join(",", list) + "]");
            }
            Action<string, IEnumerable<int>, int> set = (name, values, max) =>
            {
                int count;
                int[] a = Sorted(values, name, max, v => v, out count);
                if (a != null) parts.Add("\"" + name + "\":[" + string.Join(",", a.Take(count)) + "]");
            };
            set("se_nrs", SeNrs, 99999999);
            set("record_types", RecordTypes, 65535);
            set("feltnumre", Feltnumre, 65535);
            if (Period != null)
                parts.Add($"\"period\":{{\"from\":\"{Period.From:yyyy-MM-dd}\",\"to\":\"{Period.To:yyyy-MM-dd}\"}}");
            if (Profile != null) parts.Add("\"profile\":" + Profile.ToJson());
            return "{" + string.Join(",", parts) + "}";
        }

        /// <summary><paramref name="s"/> as a JSON string literal.</summary>
        internal static string JsonString(string s)
        {
            var b = new System.Text.StringBuilder("\"");
            foreach (char c in s)
            {
                if (c == '"' || c == '\\') b.Append('\\').Append(c);
                else if (c < 0x20) b.Append("\\u").Append(((int)c).ToString("x4"));
                else b.Append(c);
            }
            return b.Append('"').ToString();
        }

        internal static byte[] CprBytes(IEnumerable<string> cprs, out int count)
        {
            count = 0;
            if (cprs == null) return null;
            var set = new SortedSet<string>(StringComparer.Ordinal);
            foreach (string c in cprs)
            {
                string d = c == null ? "" : c.Trim();
                if (d.Length == 11 && d[6] == '-') d = d.Remove(6, 1);
                if (d.Length != 10 || d.Any(ch => ch < '0' || ch > '9'))
                    throw new ArgumentException("a CPR number in Cprs is not 10 digits (DDMMYYSSSS or DDMMYY-SSSS)",
                        nameof(Cprs));
                set.Add(d);
            }
            count = set.Count;
            var bytes = new byte[Math.Max(1, count * 10)]; // non-empty: an empty set must not become NULL
            int i = 0;
            foreach (string d in set)
                for (int k = 0; k < 10; k++) bytes[i++] = (byte)d[k];
            return bytes;
        }

        internal static T[] Sorted<T>(IEnumerable<int> values, string name, int max, Func<int, T> conv, out int count)
        {
            count = 0;
            if (values == null) return null;
            var set = new SortedSet<int>();
            foreach (int v in values)
            {
                if (v < 0 || v > max) throw new ArgumentOutOfRangeException(name, Redact.MaskCprLike($"{name}: {v} is outside 0-{max}"));
                set.Add(v);
            }
            count = set.Count;
            var a = new T[Math.Max(1, count)];
            int i = 0;
            foreach (int v in set) a[i++] = conv(v);
            return a;
        }
    }

    /// <summary>An income period, both days included.</summary>
    public sealed class Period
    {
        /// <summary>From <paramref name="from"/> to <paramref name="to"/> (dates; times are ignored).</summary>
        public Period(DateTime from, DateTime to)
        {
            if (to.Date < from.Date) throw new ArgumentException("the period ends before it starts", nameof(to));
            From = from.Date;
            To = to.Date;
        }

        /// <summary>First day.</summary>
        public DateTime From { get; }
        /// <summary>Last day.</summary>
        public DateTime To { get; }

        /// <summary>The month of <paramref name="today"/> and the <paramref name="months"/> whole months before
        /// it (the CLI's <c>--period last:N@YYYY-MM-DD</c>); SF2860's "current month plus three back" is 3.</summary>
        public static Period LastMonths(int months, DateTime today)
        {
            if (months < 0) throw new ArgumentOutOfRangeException(nameof(months), "months must be 0 or more");
            var first = new DateTime(today.Year, today.Month, 1);
            return new Period(first.AddMonths(-months), first.AddMonths(1).AddDays(-1));
        }

        internal static uint Yyyymmdd(DateTime d) => (uint)(d.Year * 10000 + d.Month * 100 + d.Day);

        /// <summary><c>2025-01-01..2025-03-31</c>, the CLI's form.</summary>
        public override string ToString() => $"{From:yyyy-MM-dd}..{To:yyyy-MM-dd}";
    }

    /// <summary>
    /// Which record types and fields a recipient may see. <see cref="Full"/>: everything;
    /// <see cref="Minimal"/>: the identity of employer and person, the pay period, A-indkomst (6001
    /// felt 13, 14) and AM-bidrag (felt 16); <see cref="Custom"/>: your own table. A record type
    /// missing from the table is not passed (a header of that type may pass bare, with
    /// <c>Lb_nr</c> and <c>Rec_nr</c> only, which every profile keeps).
    /// </summary>
    public sealed class Profile
    {
        internal const uint KindFull = 0, KindMinimal = 1, KindCustom = 2;

        private readonly SortedDictionary<int, ulong> records; // null: every type, every field
        private readonly int[] feltnumre; // null: all

        private Profile(string name, uint kind, SortedDictionary<int, ulong> records, int[] feltnumre)
        {
            Name = name;
            Kind = kind;
            this.records = records;
            this.feltnumre = feltnumre;
        }

        /// <summary>Every record type, every field, every felt number.</summary>
        public static Profile Full { get; } = new Profile("full", KindFull, null, null);

        /// <summary>The engine's strict minimal profile (docs/filtering.md). The table here mirrors the
        /// engine's <c>MINIMAL</c> for <see cref="Permits"/> (the C ABI does not export it); the engine
        /// itself does the blanking.</summary>
        public static Profile Minimal { get; } = new Profile("minimal", KindMinimal, null, null);

        /// <summary>A profile of your own: record type → permitted field numbers (1-63), and the permitted
        /// felt numbers (null: all; empty: none), like the CLI's <c>--profile FILE</c>.</summary>
        public static Profile Custom(IDictionary<int, IEnumerable<int>> records, IEnumerable<int> feltnumre = null,
            string name = "custom")
        {
            if (records == null) throw new ArgumentNullException(nameof(records));
            var table = new SortedDictionary<int, ulong>();
            foreach (var kv in records)
            {
                if (kv.Key < 0 || kv.Key > 9999)
                    throw new ArgumentOutOfRangeException(nameof(records), Redact.MaskCprLike($"record type {kv.Key} is outside 0-9999"));
                ulong m = 0;
                foreach (int no in kv.Value ?? Enumerable.Empty<int>())
                {
                    if (no < 1 || no > 63)
                        throw new ArgumentOutOfRangeException(nameof(records), Redact.MaskCprLike($"field number {no} is outside 1-63"));
                    m |= 1UL << no;
                }
                table[kv.Key] = m;
            }
            int[] felt = null;
            if (feltnumre != null)
            {
                felt = new SortedSet<int>(feltnumre).ToArray();
                if (felt.Any(f => f < 0 || f > 9999))
                    throw new ArgumentOutOfRangeException(nameof(feltnumre), "felt numbers are 0-9999");
            }
            return new Profile(name ?? "custom", KindCustom, table, felt);
        }

        private static ulong Mask(params int[] nos)
        {
            ulong m = 0;
            foreach (int n in nos) m |= 1UL << n;
            return m;
        }

        internal uint Kind { get; }

        /// <summary><c>full</c>, <c>minimal</c>, or the custom profile's name.</summary>
        public string Name { get; }

        /// <summary>The permitted felt numbers, sorted; null: all.</summary>
        public IReadOnlyList<int> Feltnumre => feltnumre == null ? null : new ReadOnlyCollection<int>(feltnumre);

        /// <summary>The record types in the table, sorted; null: every type.</summary>
        public IReadOnlyList<int> RecordTypes => records?.Keys.ToList().AsReadOnly();

        /// <summary>Whether field <paramref name="no"/> of <paramref name="recordType"/> may be shown.</summary>
        public bool Permits(int recordType, int no)
        {
            ulong mask;
            lock (masks)
            {
                if (!masks.TryGetValue(recordType, out mask))
                {
                    mask = EindkomstReader.ProfileFields(this, recordType);
                    masks[recordType] = mask;
                }
            }
            return no >= 0 && no < 64 && (mask >> no & 1) == 1;
        }

        private readonly Dictionary<int, ulong> masks = new Dictionary<int, ulong>();

        /// <summary>The profile as the engine's JSON: "full", "minimal" or a table.</summary>
        internal string ToJson()
        {
            if (Kind != KindCustom) return "\"" + Name + "\"";
            var s = new System.Text.StringBuilder("{\"name\":").Append(FilterOptions.JsonString(Name)).Append(",\"records\":{");
            string sep = "";
            foreach (var kv in records)
            {
                s.Append(sep).Append('"').Append(kv.Key).Append("\":[");
                string comma = "";
                for (int no = 0; no < 64; no++)
                    if ((kv.Value >> no & 1) == 1)
                    {
                        s.Append(comma).Append(no);
                        comma = ",";
                    }
                s.Append(']');
                sep = ",";
            }
            s.Append('}');
            if (feltnumre != null) s.Append(",\"feltnumre\":[").Append(string.Join(",", feltnumre)).Append(']');
            return s.Append('}').ToString();
        }

        /// <summary>The profile's name.</summary>
        public override string ToString() => Name;
    }

    /// <summary>
    /// The filter's accounting. Once the stream is read:
    /// <c>Seen == Passed + FilteredOut</c>, and <c>Seen</c> is the decoder's
    /// <see cref="Counts.Decoded"/>: nothing disappears without a count.
    /// </summary>
    public sealed class FilterCounts
    {
        /// <summary>Records given to the filter (every decoded record).</summary>
        public long Seen { get; internal set; }
        /// <summary>Records passed on (headers included).</summary>
        public long Passed { get; internal set; }
        /// <summary>Headers held now, waiting for a record under them (0 at the end).</summary>
        public long Held { get; internal set; }
        /// <summary>Filtered out: CPR not in <see cref="FilterOptions.Cprs"/>.</summary>
        public long Cpr { get; internal set; }
        /// <summary>Filtered out: employer's SE-nr not in <see cref="FilterOptions.SeNrs"/>.</summary>
        public long Se { get; internal set; }
        /// <summary>Filtered out: record type not selected (or not in the profile).</summary>
        public long RecordType { get; internal set; }
        /// <summary>Filtered out: felt number not selected (or not in the profile).</summary>
        public long Felt { get; internal set; }
        /// <summary>Filtered out: income period outside <see cref="FilterOptions.Period"/>.</summary>
        public long Period { get; internal set; }
        /// <summary>Filtered out: the record it belongs to (its person, employer, ...) was dropped.</summary>
        public long ParentDropped { get; internal set; }
        /// <summary>Filtered out: a header with nothing kept under it.</summary>
        public long EmptyHeader { get; internal set; }

        /// <summary>The sum of the reasons.</summary>
        public long FilteredOut => Cpr + Se + RecordType + Felt + Period + ParentDropped + EmptyHeader;

        /// <summary>The CLI's line: <c>filter: seen 27, passed 12, filtered out 15 (cpr 0, se 0, ...)</c>.</summary>
        public override string ToString() =>
            $"filter: seen {Seen}, passed {Passed}, filtered out {FilteredOut} (cpr {Cpr}, se {Se}, " +
            $"record_type {RecordType}, felt {Felt}, period {Period}, parent_dropped {ParentDropped}, " +
            $"empty_header {EmptyHeader})";
    }

    /// <summary>HMAC-SHA-256 pseudonyms of CPR numbers, the same the filter gives.</summary>
    public static class Pseudonym
    {
        /// <summary>The pseudonym of <paramref name="cpr"/> under <paramref name="key"/> (at least 16 bytes):
        /// 16 lowercase hex characters, equal to <see cref="Record.Pseudonym"/> and the CLI's.</summary>
        public static unsafe string Of(byte[] key, string cpr)
        {
            key = FilterOptions.CheckKey(key, nameof(key));
            if (cpr == null) throw new ArgumentNullException(nameof(cpr));
            byte[] c = System.Text.Encoding.ASCII.GetBytes(cpr);
            int n = c.Length;
            if (n == 0) c = new byte[1]; // not NULL
            var o = new byte[16];
            NativeMethods.EnsureResolver();
            fixed (byte* k = key)
            fixed (byte* cp = c)
            fixed (byte* op = o)
                NativeMethods.Check("eik_pseudonymise",
                    NativeMethods.eik_pseudonymise(k, (UIntPtr)key.Length, cp, (UIntPtr)n, op));
            return System.Text.Encoding.ASCII.GetString(o);
        }
    }
}
