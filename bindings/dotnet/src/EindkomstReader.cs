using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;

namespace Eindkomst
{
    /// <summary>
    /// Decodes an eIndkomst stream into <see cref="Record"/>s with the native engine.
    /// <code>
    /// using (var reader = new EindkomstReader(File.OpenRead(path)))
    /// {
    ///     foreach (Record r in reader)
    ///         if (r.RecordType == 6001) total += r.AmountOre ?? 0;
    ///     foreach (Finding f in reader.Findings) Console.Error.WriteLine(f.Label + ": " + f);
    /// }
    /// </code>
    /// The stream is read in chunks of <see cref="ChunkSize"/> bytes; one native
    /// call decodes up to <see cref="BatchSize"/> records. Lenient mode (the
    /// default) collects rejected lines, stream errors and warnings in
    /// <see cref="Findings"/>; strict mode throws <see cref="EindkomstException"/>
    /// from the enumeration at the first rejected line or stream error, after
    /// every record before it.
    /// <para>Not thread-safe: use a reader from one thread at a time. A reader
    /// enumerates its stream once. <see cref="Dispose"/> frees the native decoder
    /// and disposes the stream; afterwards the reader throws
    /// <see cref="ObjectDisposedException"/> (the freed handle is never used).</para>
    /// </summary>
    public sealed class EindkomstReader : IEnumerable<Record>, IDisposable
    {
        /// <summary>Bytes read from the stream at a time.</summary>
        public const int ChunkSize = 1 << 20;
        /// <summary>Most records one native call returns.</summary>
        public const int BatchSize = 4096;
        private const int FindingsBatch = 256;
        private const int KeptCap = 512; // >= EIK_FILTER_MIN_CAP (5)

        private static readonly Dictionary<IntPtr, string> staticStrings = new Dictionary<IntPtr, string>();

        private readonly Stream stream;
        private readonly Options options;
        private readonly bool leaveOpen;
        private readonly DecoderHandle handle;
        private readonly byte[] chunk = new byte[ChunkSize];
        private readonly EikRecord[] records = new EikRecord[BatchSize];
        private readonly EikError[] errors = new EikError[FindingsBatch];
        private Record[] batch = new Record[BatchSize + KeptCap];
        private readonly FilterOptions filterOptions;
        private readonly Profile profile;
        private readonly FilterHandle filter;
        private readonly EikKeptRecord[] kept;
        private FilterCounts lastFilterCounts;
        private readonly List<Finding> findings = new List<Finding>();
        private int chunkLen, chunkPos, batchPos, batchLen;
        private bool eof, finished, enumerated, disposed;
        private EindkomstException failure;
        private Counts lastCounts;

        /// <summary>A reader over <paramref name="stream"/>.</summary>
        /// <param name="stream">The input; disposed with the reader unless <paramref name="leaveOpen"/>.</param>
        /// <param name="options">Decoder settings; null for the lenient defaults.</param>
        /// <param name="leaveOpen">Leave the stream open when the reader is disposed.</param>
        public EindkomstReader(Stream stream, Options options = null, bool leaveOpen = false)
            : this(stream, options, null, leaveOpen)
        {
        }

        /// <summary>A reader over <paramref name="stream"/> that yields only the records
        /// <paramref name="filter"/> keeps, projected by its profile (see <see cref="FilterOptions"/>).</summary>
        /// <param name="stream">The input; disposed with the reader unless <paramref name="leaveOpen"/>.</param>
        /// <param name="options">Decoder settings; null for the lenient defaults.</param>
        /// <param name="filter">What to keep; null: every record, unchanged. Its sets are copied now.</param>
        /// <param name="leaveOpen">Leave the stream open when the reader is disposed.</param>
        /// <exception cref="ArgumentException">A CPR number that is not 10 digits, a value out of range,
        /// or a pseudonymisation key shorter than 16 bytes.</exception>
        public unsafe EindkomstReader(Stream stream, Options options, FilterOptions filter, bool leaveOpen = false)
        {
            if (stream == null) throw new ArgumentNullException(nameof(stream));
            this.stream = stream;
            this.options = options ?? new Options();
            this.leaveOpen = leaveOpen;
            NativeMethods.EnsureResolver();
            EikOptions o;
            NativeMethods.Check("eik_options_default", NativeMethods.eik_options_default(&o));
            o.Strict = (byte)(this.options.Strict ? 1 : 0);
            o.Base64 = (byte)(this.options.Base64 ? 1 : 0);
            o.UnknownCodesReject = (byte)(this.options.UnknownCodesReject ? 1 : 0);
            o.AmountScale = (byte)this.options.AmountScale;
            o.PersonLayout = (uint)this.options.PersonLayout;
            if (filter != null)
            {
                filterOptions = filter;
                profile = filter.Profile ?? Profile.Full;
                this.filter = NewFilter(filter, profile);
                kept = new EikKeptRecord[KeptCap];
            }
            NativeMethods.Check("eik_decoder_new", NativeMethods.eik_decoder_new(&o, out handle));
        }

        private static unsafe FilterHandle NewFilter(FilterOptions fo, Profile profile)
        {
            int nCprs, nSe, nTypes, nFelt, nEntries, nProfileFelt;
            byte[] cprs = FilterOptions.CprBytes(fo.Cprs, out nCprs);
            uint[] se = FilterOptions.Sorted(fo.SeNrs, nameof(fo.SeNrs), 99999999, v => (uint)v, out nSe);
            ushort[] types = FilterOptions.Sorted(fo.RecordTypes, nameof(fo.RecordTypes), 9999, v => (ushort)v, out nTypes);
            ushort[] felt = FilterOptions.Sorted(fo.Feltnumre, nameof(fo.Feltnumre), 9999, v => (ushort)v, out nFelt);
            EikProfileEntry[] entries = null;
            ushort[] profileFelt = null;
            nEntries = nProfileFelt = 0;
            if (profile.Kind == Profile.KindCustom)
            {
                entries = profile.Entries(out nEntries);
                profileFelt = profile.FeltArray(out nProfileFelt);
            }
            byte[] key = fo.PseudonymKey == null ? null : FilterOptions.CheckKey(fo.PseudonymKey, nameof(fo.PseudonymKey));
            EikFilterOptions o;
            NativeMethods.Check("eik_filter_options_default", NativeMethods.eik_filter_options_default(&o));
            FilterHandle h;
            // fixed gives NULL for a null array: "no restriction". The helpers never return an
            // empty array (an empty set is a 1-item array with count 0), so a set stays non-NULL.
            fixed (byte* pc = cprs)
            fixed (uint* ps = se)
            fixed (ushort* pt = types)
            fixed (ushort* pf = felt)
            fixed (EikProfileEntry* pe = entries)
            fixed (ushort* ppf = profileFelt)
            fixed (byte* pk = key)
            {
                o.Cprs = pc;
                o.NCprs = (UIntPtr)nCprs;
                o.SeNrs = ps;
                o.NSeNrs = (UIntPtr)nSe;
                o.RecordTypes = pt;
                o.NRecordTypes = (UIntPtr)nTypes;
                o.Feltnumre = pf;
                o.NFeltnumre = (UIntPtr)nFelt;
                o.ProfileRecords = pe;
                o.NProfileRecords = (UIntPtr)nEntries;
                o.ProfileFeltnumre = ppf;
                o.NProfileFeltnumre = (UIntPtr)nProfileFelt;
                o.PseudonymKey = pk;
                o.PseudonymKeyLen = (UIntPtr)(key?.Length ?? 0);
                if (fo.Period != null)
                {
                    o.PeriodFrom = Period.Yyyymmdd(fo.Period.From);
                    o.PeriodTo = Period.Yyyymmdd(fo.Period.To);
                }
                o.Profile = profile.Kind;
                NativeMethods.Check("eik_filter_new", NativeMethods.eik_filter_new(&o, out h));
            }
            return h;
        }

        /// <summary>The native library's version ("0.1.0").</summary>
        public static string Version
        {
            get
            {
                NativeMethods.EnsureResolver();
                return NativeMethods.Utf8(NativeMethods.eik_version());
            }
        }

        /// <summary>
        /// Findings so far, in stream order: every rejected line, stream error and
        /// warning (lenient), or the warnings and the one that stopped the decoder (strict).
        /// </summary>
        public IReadOnlyList<Finding> Findings => new ReadOnlyCollection<Finding>(findings.ToArray());

        /// <summary>What the decoder has seen so far (after <see cref="Dispose"/>: at disposal).</summary>
        public unsafe Counts Counts
        {
            get
            {
                if (disposed && lastCounts != null) return lastCounts;
                ThrowIfDisposed();
                EikCounts c;
                NativeMethods.Check("eik_decoder_counts", NativeMethods.eik_decoder_counts(handle, &c));
                var byType = new Dictionary<int, TypeCount>();
                EikTypeCount* t = (EikTypeCount*)c.ByType;
                for (int i = 0; i < EikCounts.Types; i++)
                    if (t[i].RecordType != 0 && t[i].Decoded + t[i].Rejected > 0)
                        byType[t[i].RecordType] = new TypeCount((long)t[i].Decoded, (long)t[i].Rejected);
                return new Counts
                {
                    Lines = (long)c.Lines, Decoded = (long)c.Decoded, Rejected = (long)c.Rejected,
                    Warnings = (long)c.Warnings, Errors = (long)c.Errors, Suppressed = (long)c.Suppressed,
                    Bytes = (long)c.Bytes, RejectedUntyped = (long)c.RejectedUntyped,
                    ByType = new ReadOnlyDictionary<int, TypeCount>(byType),
                };
            }
        }

        /// <summary>The filter given to the constructor; null without one.</summary>
        public FilterOptions Filter => filterOptions;

        /// <summary>
        /// The filter's accounting so far (after <see cref="Dispose"/>: at disposal); null without a
        /// filter. Once the stream is read, <c>FilterCounts.Seen == Counts.Decoded</c> and
        /// <c>Seen == Passed + FilteredOut</c>.
        /// </summary>
        public unsafe FilterCounts FilterCounts
        {
            get
            {
                if (filter == null) return null;
                if (disposed && lastFilterCounts != null) return lastFilterCounts;
                ThrowIfDisposed();
                EikFilterCounts c;
                NativeMethods.Check("eik_filter_get_counts", NativeMethods.eik_filter_get_counts(filter, &c));
                return new FilterCounts
                {
                    Seen = (long)c.Seen, Passed = (long)c.Passed, Held = (long)c.Held, Cpr = (long)c.Cpr,
                    Se = (long)c.Se, RecordType = (long)c.RecordType, Felt = (long)c.Felt, Period = (long)c.Period,
                    ParentDropped = (long)c.ParentDropped, EmptyHeader = (long)c.EmptyHeader,
                };
            }
        }

        /// <summary>The records of the stream, in order (with a filter: the kept ones); a reader is enumerated once.</summary>
        /// <exception cref="EindkomstException">Strict mode: a rejected line or a stream error.</exception>
        public IEnumerator<Record> GetEnumerator()
        {
            ThrowIfDisposed();
            if (enumerated) throw new InvalidOperationException("a reader enumerates its stream once");
            enumerated = true;
            return new Enumerator(this);
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>Hands out the current batch, then asks for the next; a strict failure is thrown again on every call.</summary>
        private sealed class Enumerator : IEnumerator<Record>
        {
            private readonly EindkomstReader reader;

            internal Enumerator(EindkomstReader reader)
            {
                this.reader = reader;
            }

            public Record Current { get; private set; }

            object IEnumerator.Current => Current;

            public bool MoveNext()
            {
                EindkomstReader r = reader;
                while (r.batchPos == r.batchLen)
                {
                    if (!r.Fill())
                    {
                        Current = null;
                        return false;
                    }
                }
                Current = r.batch[r.batchPos];
                r.batch[r.batchPos++] = null;
                return true;
            }

            public void Reset() => throw new NotSupportedException("a reader enumerates its stream once");

            public void Dispose() { }
        }

        /// <summary>Frees the native decoder and disposes the stream (unless left open). Safe to call twice.</summary>
        public void Dispose()
        {
            if (disposed) return;
            if (!handle.IsClosed) lastCounts = Counts;
            if (filter != null && !filter.IsClosed) lastFilterCounts = FilterCounts;
            disposed = true;
            handle.Dispose();
            filter?.Dispose();
            if (!leaveOpen) stream.Dispose();
        }

        private void ThrowIfDisposed()
        {
            if (disposed) throw new ObjectDisposedException(nameof(EindkomstReader));
        }

        /// <summary>One step: one native call or one read. False at the end.</summary>
        private unsafe bool Fill()
        {
            batchPos = batchLen = 0;
            if (failure != null) throw failure;
            ThrowIfDisposed();
            if (finished) return false;
            if (chunkPos == chunkLen && !eof)
            {
                int n = stream.Read(chunk, 0, ChunkSize);
                if (n <= 0) eof = true;
                else
                {
                    chunkLen = n;
                    chunkPos = 0;
                }
                return true;
            }
            uint status;
            UIntPtr count;
            fixed (byte* input = chunk)
            fixed (EikRecord* recs = records)
            {
                string function;
                if (chunkPos < chunkLen)
                {
                    function = "eik_decode";
                    UIntPtr consumed;
                    status = NativeMethods.eik_decode(handle, input + chunkPos, (UIntPtr)(chunkLen - chunkPos), recs,
                        (UIntPtr)BatchSize, out count, out consumed);
                    if (status == NativeMethods.StatusOk) chunkPos += (int)consumed;
                }
                else
                {
                    function = "eik_finish";
                    byte done;
                    status = NativeMethods.eik_finish(handle, recs, (UIntPtr)BatchSize, out count, out done);
                    if (status == NativeMethods.StatusOk && done != 0) finished = true;
                }
                if (status == NativeMethods.StatusFindingsFull)
                {
                    TakeFindings();
                    return true;
                }
                NativeMethods.Check(function, status);
                if (filter != null)
                {
                    FilterBatch(recs, (int)count);
                    if (finished) NativeMethods.Check("eik_filter_finish", NativeMethods.eik_filter_finish(filter));
                    TakeFindings();
                    return true;
                }
                int amountScale = options.AmountScale;
                for (int i = 0; i < (int)count; i++)
                {
                    EikRecord* r = recs + i;
                    int len = (int)r->Len;
                    // The bytes are in the pinned chunk or in the decoder's scratch area;
                    // both stay valid until the next call.
                    var line = new byte[len];
                    fixed (byte* dst = line) Buffer.MemoryCopy(r->Bytes, dst, len, len);
                    batch[i] = new Record(Layout.At(r->LayoutIndex), line, (long)r->Line, (long)r->Offset,
                        (long)r->Seq, (int)r->LbNr, amountScale);
                }
                batchLen = (int)count;
            }
            TakeFindings();
            return true;
        }

        /// <summary>Runs the decoded records <paramref name="recs"/>[0..n) through the filter into the batch.
        /// Their bytes are still valid (no other call on the decoder in between).</summary>
        private unsafe void FilterBatch(EikRecord* recs, int n)
        {
            int amountScale = options.AmountScale;
            int off = 0;
            fixed (EikKeptRecord* outp = kept)
            {
                while (off < n)
                {
                    UIntPtr got, used;
                    NativeMethods.Check("eik_filter_records", NativeMethods.eik_filter_records(filter, recs + off,
                        (UIntPtr)(n - off), outp, (UIntPtr)KeptCap, out got, out used));
                    if ((int)used == 0) throw new EindkomstNativeException("eik_filter_records", 0, "no progress");
                    off += (int)used;
                    if (batchLen + (int)got > batch.Length) Array.Resize(ref batch, batchLen + (int)got + KeptCap);
                    for (int i = 0; i < (int)got; i++)
                    {
                        EikKeptRecord* k = outp + i;
                        EikRecord* r = &k->Record;
                        int len = (int)r->Len;
                        // The projected bytes are in the filter's scratch area until its next call.
                        var line = new byte[len];
                        fixed (byte* dst = line) Buffer.MemoryCopy(r->Bytes, dst, len, len);
                        Layout layout = Layout.At(r->LayoutIndex);
                        string pseudonym = k->HasPseudonym != 0
                            ? new string((sbyte*)k->Pseudonym, 0, EikKeptRecord.PseudonymLen,
                                System.Text.Encoding.ASCII)
                            : null;
                        batch[batchLen++] = new Record(layout, line, (long)r->Line, (long)r->Offset, (long)r->Seq,
                            (int)r->LbNr, amountScale, profile.FieldMask(layout.RecordType), pseudonym);
                    }
                }
            }
        }

        /// <summary>Moves the pending findings into the list; in strict mode, keeps only the records before a fatal one.</summary>
        private unsafe void TakeFindings()
        {
            int n;
            do
            {
                UIntPtr got;
                fixed (EikError* errs = errors)
                    NativeMethods.Check("eik_take_findings",
                        NativeMethods.eik_take_findings(handle, errs, (UIntPtr)FindingsBatch, out got));
                n = (int)got;
                for (int i = 0; i < n; i++)
                {
                    Finding f = ToFinding(ref errors[i]);
                    findings.Add(f);
                    if (options.Strict && failure == null && f.Type != FindingType.Warning)
                    {
                        failure = new EindkomstException(f);
                        while (batchLen > 0 && batch[batchLen - 1].Seq > f.Seq) batch[--batchLen] = null;
                    }
                }
            } while (n == FindingsBatch);
        }

        private static Finding ToFinding(ref EikError e)
        {
            bool hasField = e.HasField != 0;
            return new Finding((FindingType)e.Finding, (ErrorKind)e.Kind, StaticString(e.Code),
                StaticString(e.Message), (long)e.Seq, (long)e.Line, (long)e.Offset,
                e.HasLbNr != 0 ? (int?)e.LbNr : null, e.HasRecord != 0 ? (int?)e.Record : null,
                hasField ? (int?)e.FieldNo : null, hasField ? StaticString(e.FieldName) : "", e.Expected, e.Found);
        }

        /// <summary>A static C string of the library (codes, messages, field names), read once.</summary>
        private static string StaticString(IntPtr p)
        {
            lock (staticStrings)
            {
                string s;
                if (!staticStrings.TryGetValue(p, out s)) staticStrings[p] = s = NativeMethods.Utf8(p);
                return s;
            }
        }
    }
}
