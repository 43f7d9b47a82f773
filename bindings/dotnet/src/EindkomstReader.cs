using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Text;

namespace Eindkomst
{
    /// <summary>What the reader's current event is.</summary>
    public enum EventType
    {
        /// <summary>No event (before the first <see cref="EindkomstReader.Next"/>, or at the end).</summary>
        None = 0,
        /// <summary>A decoded record: <see cref="EindkomstReader.Record"/>.</summary>
        Record = 1,
        /// <summary>A line with an unknown record key passed through: <see cref="EindkomstReader.Raw"/>.</summary>
        Raw = 2,
        /// <summary>A rejected line, a stream error or a warning: <see cref="EindkomstReader.Finding"/>.</summary>
        Finding = 3,
    }

    /// <summary>A line with an unknown record key, passed through as it stands (<see cref="Options.UnknownRaw"/>).
    /// Its bytes may hold personal data: never log them.</summary>
    public sealed class RawLine
    {
        internal RawLine(long line, long offset, string key, byte[] bytes)
        {
            Line = line;
            Offset = offset;
            Key = key;
            Bytes = bytes;
        }

        /// <summary>Physical line, 1-based.</summary>
        public long Line { get; }
        /// <summary>Byte offset of the line in the stream.</summary>
        public long Offset { get; }
        /// <summary>The record key as it stands.</summary>
        public string Key { get; }
        /// <summary>The whole line, ISO-8859-1, without terminator.</summary>
        public byte[] Bytes { get; }
        /// <summary><c>RawLine 150 line 4</c>: no contents.</summary>
        public override string ToString() => $"RawLine {Key} line {Line}";
    }

    /// <summary>
    /// Decodes an eIndkomst stream with the native engine: one ordered stream of events
    /// (records, raw lines, findings) in input order.
    /// <code>
    /// using (var reader = new EindkomstReader(File.OpenRead(path)))
    ///     while (reader.Next())
    ///         if (reader.Current == EventType.Record &amp;&amp; reader.Record.RecordType == 6001)
    ///             total += reader.Record.AmountOre ?? 0;   // a value-type view: no copy
    /// </code>
    /// Or, one owned <see cref="Eindkomst.Record"/> per record: <c>foreach (Record r in reader)</c>, with the
    /// findings in <see cref="Findings"/>. The stream is read in chunks of <see cref="ChunkSize"/>
    /// bytes; one native call fills up to <see cref="BatchSize"/> events. Strict mode throws
    /// <see cref="EindkomstException"/> at the first rejected line or stream error, after every
    /// record before it. With a <see cref="FilterOptions"/> the engine filters inside: only kept
    /// records come, projected, and <see cref="FilterCounts"/> accounts for the rest.
    /// <para>Not thread-safe: use a reader from one thread at a time. A reader reads its stream
    /// once. <see cref="Dispose"/> frees the native decoder and disposes the stream; afterwards
    /// the reader throws <see cref="ObjectDisposedException"/>.</para>
    /// </summary>
    public sealed class EindkomstReader : IEnumerable<Record>, IDisposable
    {
        /// <summary>Bytes read from the stream at a time.</summary>
        public const int ChunkSize = 1 << 20;
        /// <summary>Most events one native call returns.</summary>
        public const int BatchSize = 4096;

        private static readonly Dictionary<long, string> names = new Dictionary<long, string>();

        private readonly Stream stream;
        private readonly Options options;
        private readonly bool leaveOpen;
        private readonly DecoderHandle handle;
        private readonly Family family;
        private readonly FilterOptions filterOptions;
        private readonly ulong[] permitted;
        private readonly Layout[] layouts; // the family's, as an array: one load per record
        private readonly byte[] chunk = new byte[ChunkSize];
        private readonly EikEvent[] events = new EikEvent[BatchSize];
        private byte[] scratch = new byte[0];
        private long inputBase, scratchBase;
        private int chunkLen, chunkPos, n, at = -1;
        private bool eof, stopped, done, enumerated, disposed;
        private EventType current;
        private readonly RecordData view = new RecordData(); // the current record's place, reused
        private Finding finding;
        private readonly List<Finding> findings = new List<Finding>();
        private EindkomstException failure;
        private Counts lastCounts;
        private FilterCounts lastFilterCounts;

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
        /// <param name="filter">What to keep; null: every record, unchanged. Handed to the engine now.</param>
        /// <param name="leaveOpen">Leave the stream open when the reader is disposed.</param>
        /// <exception cref="ArgumentException">The engine refuses the filter (the reason never holds a CPR),
        /// a CPR number that is not 10 digits, or a key shorter than 16 bytes.</exception>
        public unsafe EindkomstReader(Stream stream, Options options, FilterOptions filter, bool leaveOpen = false)
        {
            if (stream == null) throw new ArgumentNullException(nameof(stream));
            this.stream = stream;
            this.options = options ?? new Options();
            this.leaveOpen = leaveOpen;
            NativeMethods.EnsureResolver();
            family = this.options.Family ?? Family.Employer;
            filterOptions = filter;
            handle = NewDecoder(this.options, filter);
            view.AmountScale = this.options.AmountScale;
            permitted = new ulong[family.Layouts.Count];
            layouts = new Layout[family.Layouts.Count];
            for (int i = 0; i < layouts.Length; i++) layouts[i] = family.Layouts[i];
            foreach (Layout l in family.Layouts)
            {
                ulong mask = ulong.MaxValue;
                if (filter != null)
                    NativeMethods.Check("eik_profile_fields", NativeMethods.eik_profile_fields(handle, (ushort)l.RecordType, &mask));
                permitted[l.Index] = mask;
            }
        }

        private static unsafe DecoderHandle NewDecoder(Options options, FilterOptions filter)
        {
            EikOptions o;
            NativeMethods.Check("eik_options_default", NativeMethods.eik_options_default(&o));
            options.Write(&o);
            byte[] json = filter == null ? null : Encoding.UTF8.GetBytes(filter.ToJson());
            byte[] key = filter?.PseudonymKey == null ? null : FilterOptions.CheckKey(filter.PseudonymKey, "PseudonymKey");
            byte* msg = stackalloc byte[512];
            msg[0] = 0;
            DecoderHandle h;
            uint status;
            fixed (byte* pj = json)
            fixed (byte* pk = key)
            {
                o.FilterJson = (IntPtr)pj;
                o.FilterJsonLen = (ulong)(json?.Length ?? 0);
                o.PseudonymKey = (IntPtr)pk;
                o.PseudonymKeyLen = (ulong)(key?.Length ?? 0);
                status = NativeMethods.eik_decoder_new(&o, out h, msg, (UIntPtr)512);
            }
            if (status == Abi.StatusInvalidFilter || status == Abi.StatusInvalidArgument)
            {
                h.Dispose();
                throw new ArgumentException("eindkomst: " + NativeMethods.Message(msg, 512));
            }
            NativeMethods.Check("eik_decoder_new", status);
            return h;
        }

        /// <summary>The fields <paramref name="profile"/> shows for an employer record type (bit n: field n).</summary>
        internal static unsafe ulong ProfileFields(Profile profile, int recordType)
        {
            NativeMethods.EnsureResolver();
            using (DecoderHandle h = NewDecoder(new Options(), new FilterOptions { Profile = profile }))
            {
                ulong mask;
                NativeMethods.Check("eik_profile_fields", NativeMethods.eik_profile_fields(h, (ushort)recordType, &mask));
                return mask;
            }
        }

        /// <summary>The native library's version ("0.2.0").</summary>
        public static string Version
        {
            get
            {
                NativeMethods.EnsureResolver();
                return NativeMethods.Utf8(NativeMethods.eik_version());
            }
        }

        /// <summary>The family the reader decodes.</summary>
        public Family Family => family;

        // ---- the event cursor ------------------------------------------------------------

        /// <summary>Moves to the next event; false at the end of the stream.</summary>
        /// <exception cref="EindkomstException">Strict mode, at the first rejected line or stream error.</exception>
        public bool Next()
        {
            ThrowIfDisposed();
            if (failure != null) throw failure;
            while (++at >= n)
            {
                if (!Fill())
                {
                    at = n;
                    current = EventType.None;
                    return false;
                }
            }
            Load(at);
            return true;
        }

        /// <summary>The current event's type.</summary>
        public EventType Current => current;

        /// <summary>The current record as a value-type view, valid until <see cref="Next"/>;
        /// <see cref="RecordView.Copy"/> keeps it.</summary>
        /// <exception cref="InvalidOperationException">The current event is not a record.</exception>
        public RecordView Record
        {
            get
            {
                if (current != EventType.Record) throw new InvalidOperationException("the current event is not a record");
                return new RecordView(view);
            }
        }

        /// <summary>The current finding.</summary>
        public Finding Finding
        {
            get
            {
                if (current != EventType.Finding) throw new InvalidOperationException("the current event is not a finding");
                return finding;
            }
        }

        /// <summary>The current raw line (an unknown record key passed through), copied.</summary>
        public RawLine Raw
        {
            get
            {
                if (current != EventType.Raw) throw new InvalidOperationException("the current event is not a raw line");
                EikEvent e = events[at];
                byte[] bytes = BytesOf(e);
                int ks = Math.Min(e.KeyStart, bytes.Length);
                return new RawLine((long)e.Line, (long)e.Offset,
                    Encoding.GetEncoding("ISO-8859-1").GetString(bytes, ks, Math.Min(e.KeyLen, bytes.Length - ks)), bytes);
            }
        }

        private unsafe byte[] BytesOf(EikEvent e)
        {
            var b = new byte[e.Len];
            if ((e.Flags & Abi.EventInScratch) != 0)
                Buffer.BlockCopy(scratch, (int)((long)e.Bytes - scratchBase), b, 0, b.Length);
            else
                Buffer.BlockCopy(chunk, (int)((long)e.Bytes - inputBase), b, 0, b.Length);
            return b;
        }

        /// <summary>One native call (reading the stream when needed); false once everything was delivered.</summary>
        private unsafe bool Fill()
        {
            if (done) return false;
            at = -1;
            n = 0;
            if (chunkPos == chunkLen && !eof && !stopped)
            {
                int got;
                do got = stream.Read(chunk, 0, chunk.Length); while (got < 0);
                eof = got == 0;
                chunkLen = got;
                chunkPos = 0;
            }
            EikBatch b;
            fixed (EikEvent* ev = events)
            {
                if (chunkPos < chunkLen && !stopped)
                {
                    fixed (byte* input = chunk)
                    {
                        // Offsets into the chunk are taken from the address it had during the call.
                        inputBase = (long)input;
                        NativeMethods.Check("eik_decode", NativeMethods.eik_decode(handle, input + chunkPos,
                            (UIntPtr)(chunkLen - chunkPos), ev, (UIntPtr)BatchSize, &b));
                    }
                    chunkPos += (int)b.Consumed;
                    stopped = b.Done != 0;
                }
                else
                {
                    NativeMethods.Check("eik_finish", NativeMethods.eik_finish(handle, ev, (UIntPtr)BatchSize, &b));
                    done = b.Done != 0;
                }
            }
            n = (int)b.NEvents;
            // The scratch area lives in the decoder until the next call: one copy per batch.
            if (b.ScratchLen > 0)
            {
                if (scratch.Length < (int)b.ScratchLen) scratch = new byte[Math.Max((int)b.ScratchLen, scratch.Length * 2)];
                System.Runtime.InteropServices.Marshal.Copy(b.Scratch, scratch, 0, (int)b.ScratchLen);
            }
            scratchBase = (long)b.Scratch;
            return true;
        }

        private unsafe void Load(int i)
        {
            int type = events[i].EventType;
            if (type == Abi.EventTypeRecord)
            {
                // Field by field through one pointer (one bounds check), into the reused record
                // place: no copy of the 80-byte event, no object.
                current = EventType.Record;
                fixed (EikEvent* ev = &events[i])
                {
                    int flags = ev->Flags;
                    bool inScratch = (flags & Abi.EventInScratch) != 0;
                    // Read as a long: a conversion from IntPtr is a call on Mono.
                    int pos = (int)(*(long*)&ev->Bytes - (inScratch ? scratchBase : inputBase));
                    int layout = ev->Layout;
                    view.Buf = inScratch ? scratch : chunk;
                    view.Pos = pos;
                    view.Layout = layouts[layout];
                    view.Line = (long)ev->Line;
                    view.LbNr = (int)ev->LbNr;
                    view.Offset = (long)ev->Offset;
                    view.Permitted = permitted[layout];
                    view.PseudonymAt = (flags & Abi.EventHasPseudonym) != 0 ? pos + (int)ev->Len : -1;
                }
                return;
            }
            LoadOther(i);
        }

        /// <summary>A raw line or a finding: apart from <see cref="Load"/>, whose record path then has no
        /// 80-byte local for Mono to zero at every call.</summary>
        private void LoadOther(int i)
        {
            EikEvent e = events[i];
            switch (e.EventType)
            {
                case Abi.EventTypeRaw:
                    current = EventType.Raw;
                    return;
            }
            current = EventType.Finding;
            var findingType = e.EventType == Abi.EventTypeRejected ? FindingType.Rejected
                : e.EventType == Abi.EventTypeError ? FindingType.Error : FindingType.Warning;
            bool hasField = (e.Flags & Abi.EventHasField) != 0;
            finding = new Finding(findingType, e.Kind, Encoding.UTF8.GetString(BytesOf(e)), (long)e.Line, (long)e.Offset,
                (e.Flags & Abi.EventHasLbNr) != 0 ? (int?)e.LbNr : null,
                (e.Flags & Abi.EventHasRecordType) != 0 ? (int?)e.RecordType : null,
                hasField ? (int?)e.FieldNo : null, hasField ? Name(e.FieldName) : "", (long)e.Expected, (long)e.Found);
            findings.Add(finding);
            if (options.Strict && finding.IsFatal)
            {
                failure = new EindkomstException(finding);
                throw failure;
            }
        }

        /// <summary>A field name of the library or its family, read once.</summary>
        private static string Name(EikStr s)
        {
            lock (names)
            {
                string v;
                if (!names.TryGetValue((long)s.Ptr, out v))
                {
                    v = NativeMethods.Str(s);
                    names[(long)s.Ptr] = v;
                }
                return v;
            }
        }

        // ---- owned records ----------------------------------------------------------------

        /// <summary>The records in order, each an owned <see cref="Eindkomst.Record"/> (copied). A reader
        /// enumerates its stream once; findings go to <see cref="Findings"/>.</summary>
        public IEnumerator<Record> GetEnumerator()
        {
            ThrowIfDisposed();
            if (enumerated) throw new InvalidOperationException("a reader enumerates its stream once");
            enumerated = true;
            return new RecordEnumerator(this);
        }

        /// <summary>Owned copies of the records; after a strict stop every MoveNext throws again.</summary>
        private sealed class RecordEnumerator : IEnumerator<Record>
        {
            private readonly EindkomstReader reader;

            internal RecordEnumerator(EindkomstReader reader)
            {
                this.reader = reader;
            }

            public Record Current { get; private set; }

            object IEnumerator.Current => Current;

            public bool MoveNext()
            {
                while (reader.Next())
                {
                    if (reader.current == EventType.Record)
                    {
                        Current = new RecordView(reader.view).Copy();
                        return true;
                    }
                }
                Current = null;
                return false;
            }

            public void Reset() => throw new NotSupportedException("a reader reads its stream once");

            public void Dispose()
            {
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>
        /// Findings so far, in stream order: every rejected line, stream error and
        /// warning (lenient), or the warnings and the one that stopped the reader (strict).
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
                for (int i = 0; i < Abi.CountsTypes; i++)
                    if (t[i].RecordType != 0 && t[i].Decoded + t[i].Rejected > 0)
                        byType[t[i].RecordType] = new TypeCount((long)t[i].Decoded, (long)t[i].Rejected);
                return new Counts
                {
                    Lines = (long)c.Lines, Decoded = (long)c.Decoded, Rejected = (long)c.Rejected,
                    Warnings = (long)c.Warnings, Errors = (long)c.Errors, Suppressed = (long)c.Suppressed,
                    Bytes = (long)c.Bytes, RejectedUntyped = (long)c.RejectedUntyped, Raw = (long)c.Raw,
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
                if (filterOptions == null) return null;
                if (disposed && lastFilterCounts != null) return lastFilterCounts;
                ThrowIfDisposed();
                EikFilterCounts c;
                NativeMethods.Check("eik_decoder_filter_counts", NativeMethods.eik_decoder_filter_counts(handle, &c));
                return new FilterCounts
                {
                    Seen = (long)c.Seen, Passed = (long)c.Passed, Held = (long)c.Held, Cpr = (long)c.Cpr,
                    Se = (long)c.Se, RecordType = (long)c.RecordType, Felt = (long)c.Felt, Period = (long)c.Period,
                    ParentDropped = (long)c.ParentDropped, EmptyHeader = (long)c.EmptyHeader,
                };
            }
        }

        private void ThrowIfDisposed()
        {
            if (disposed) throw new ObjectDisposedException(nameof(EindkomstReader));
        }

        /// <summary>Frees the native decoder and disposes the stream (unless left open). Safe to call twice.</summary>
        public void Dispose()
        {
            if (disposed) return;
            lastCounts = Counts;
            lastFilterCounts = FilterCounts;
            disposed = true;
            handle.Dispose();
            if (!leaveOpen) stream.Dispose();
        }
    }
}
