package dk.eindkomst;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Decodes an eIndkomst stream into {@link Record}s with the native engine.
 *
 * <pre>{@code
 * try (EindkomstDecoder decoder = new EindkomstDecoder(Files.newInputStream(path))) {
 *     for (Record r : decoder) {
 *         if (r.recordType() == 6001) total += r.amountOre().orElse(0);
 *     }
 *     decoder.findings().forEach(f -> log.warn(f.toString()));   // lenient mode
 * }
 * }</pre>
 *
 * <p>The input is read in chunks of {@value #CHUNK} bytes; one native call
 * decodes up to {@value #BATCH} records. In lenient mode (the default)
 * rejected lines, stream errors and warnings are collected in
 * {@link #findings()}; in strict mode the first rejected line or stream error
 * throws {@link EindkomstException} from the iterator, after every record
 * before it.
 *
 * <p>With {@link FilterOptions} ({@link #builder(InputStream)}) the decoder
 * yields only the records the filter keeps, projected by its profile, and
 * accounts for the rest in {@link #filterCounts()}.
 *
 * <p>Not thread-safe: use one decoder from one thread at a time. A decoder
 * iterates its stream once. {@link #close()} frees the native decoder and
 * closes the stream; a decoder that is not closed is freed when it becomes
 * unreachable. Using a closed decoder throws {@link IllegalStateException}.
 */
public final class EindkomstDecoder implements AutoCloseable, Iterable<Record> {
    /** Bytes read from the stream at a time. */
    public static final int CHUNK = 1 << 20;
    /** Most records one native call returns. */
    public static final int BATCH = 4096;

    private static final int FINDINGS_BATCH = 256;
    private static final int KEPT_CAP = 512; // >= EIK_FILTER_MIN_CAP
    private static final Cleaner CLEANER = Cleaner.create();
    private static final Map<Long, String> STATIC_STRINGS = new HashMap<>();

    private final InputStream in;
    private final Options options;
    private final Handle handle;
    private final Cleaner.Cleanable cleanable;

    private final byte[] chunk = new byte[CHUNK];
    private final Memory input = new Memory(CHUNK);
    private final long inputAddress = Pointer.nativeValue(input);
    private final Memory records = new Memory((long) BATCH * NativeLib.RECORD_SIZE);
    private final ByteBuffer recordView = records.getByteBuffer(0, records.size()).order(ByteOrder.LITTLE_ENDIAN);
    private final Memory errors = new Memory((long) FINDINGS_BATCH * NativeLib.ERROR_SIZE);
    private final ByteBuffer errorView = errors.getByteBuffer(0, errors.size()).order(ByteOrder.LITTLE_ENDIAN);
    private final Memory outs = new Memory(24); // size_t n_out, size_t consumed, bool done

    private int chunkLen;
    private int chunkPos;
    private boolean eof;
    private boolean finished;
    private Record[] batch = new Record[BATCH + KEPT_CAP];
    private final FilterOptions filterOptions;
    private final Memory kept;
    private final ByteBuffer keptView;
    private FilterCounts lastFilterCounts;
    private int batchPos;
    private int batchLen;
    private final List<Finding> findings = new ArrayList<>();
    private EindkomstException failure;
    private boolean iterated;
    private Counts lastCounts;

    /** A lenient decoder over {@code in}. */
    public EindkomstDecoder(InputStream in) {
        this(in, Options.lenient());
    }

    /** A decoder over {@code in} with {@code options}. */
    public EindkomstDecoder(InputStream in, Options options) {
        this(in, options, null);
    }

    /**
     * A decoder over {@code in} with {@code options} that yields only the
     * records {@code filter} keeps ({@code null}: every record, unchanged).
     */
    public EindkomstDecoder(InputStream in, Options options, FilterOptions filter) {
        if (in == null || options == null) {
            throw new NullPointerException("input stream and options are required");
        }
        this.in = in;
        this.options = options;
        this.filterOptions = filter;
        Pointer filterHandle = filter == null ? null : newFilter(filter);
        kept = filter == null ? null : new Memory((long) KEPT_CAP * NativeLib.KEPT_RECORD_SIZE);
        keptView = kept == null ? null : kept.getByteBuffer(0, kept.size()).order(ByteOrder.LITTLE_ENDIAN);
        Memory opts = new Memory(NativeLib.OPTIONS_SIZE);
        NativeLib.check("eik_options_default", NativeLib.eik_options_default(opts));
        opts.setByte(0, (byte) (options.isStrict() ? 1 : 0));
        opts.setByte(1, (byte) (options.isBase64() ? 1 : 0));
        opts.setByte(2, (byte) (options.isUnknownCodesReject() ? 1 : 0));
        opts.setByte(3, (byte) options.amountScale());
        opts.setInt(4, options.personLayout().ordinal());
        Memory out = new Memory(8);
        int status = NativeLib.eik_decoder_new(opts, out);
        if (status != NativeLib.STATUS_OK && filterHandle != null) {
            NativeLib.eik_filter_free(filterHandle);
        }
        NativeLib.check("eik_decoder_new", status);
        handle = new Handle(out.getPointer(0), filterHandle);
        cleanable = CLEANER.register(this, handle);
    }

    /** A builder: {@code EindkomstDecoder.builder(in).options(o).filter(f).build()}. */
    public static Builder builder(InputStream in) {
        return new Builder(in);
    }

    /** Builds an {@link EindkomstDecoder}. */
    public static final class Builder {
        private final InputStream in;
        private Options options = Options.lenient();
        private FilterOptions filter;

        private Builder(InputStream in) {
            this.in = in;
        }

        /** Decoder settings (default {@link Options#lenient()}). */
        public Builder options(Options options) {
            this.options = options;
            return this;
        }

        /** What to keep ({@code null}, the default: every record, unchanged). */
        public Builder filter(FilterOptions filter) {
            this.filter = filter;
            return this;
        }

        /** The decoder; the filter's sets are copied into the native filter now. */
        public EindkomstDecoder build() {
            return new EindkomstDecoder(in, options, filter);
        }
    }

    /** Makes the native filter; every set is copied by it, so the memory here may go afterwards. */
    private static Pointer newFilter(FilterOptions f) {
        Memory o = new Memory(NativeLib.FILTER_OPTIONS_SIZE);
        NativeLib.check("eik_filter_options_default", NativeLib.eik_filter_options_default(o));
        // A set not given stays NULL; an empty one gets a 1-item block with count 0 (non-NULL: keeps nothing).
        byte[] cprs = f.cprBytes();
        Memory mc = null;
        if (cprs != null) {
            mc = new Memory(Math.max(1, cprs.length));
            mc.write(0, cprs, 0, cprs.length);
            o.setPointer(0, mc);
            o.setLong(8, f.cprCount());
        }
        Memory ms = set32(o, 16, f.seNrArray());
        Memory mt = set16(o, 32, f.recordTypeArray());
        Memory mf = set16(o, 48, f.feltArray());
        Profile p = f.profile();
        Memory me = null;
        Memory mpf = null;
        if (p.kind() == Profile.KIND_CUSTOM) {
            java.util.TreeMap<Integer, Long> table = p.table();
            me = new Memory(Math.max(1, table.size()) * (long) NativeLib.PROFILE_ENTRY_SIZE);
            me.clear();
            long at = 0;
            for (Map.Entry<Integer, Long> e : table.entrySet()) {
                me.setLong(at, e.getValue());
                me.setShort(at + 8, (short) (int) e.getKey());
                at += NativeLib.PROFILE_ENTRY_SIZE;
            }
            o.setPointer(64, me);
            o.setLong(72, table.size());
            mpf = set16(o, 80, p.feltArray());
        }
        byte[] key = f.key();
        Memory mk = null;
        if (key != null) {
            mk = new Memory(key.length);
            mk.write(0, key, 0, key.length);
            o.setPointer(96, mk);
            o.setLong(104, key.length);
        }
        if (f.period() != null) {
            o.setInt(112, Period.yyyymmdd(f.period().from()));
            o.setInt(116, Period.yyyymmdd(f.period().to()));
        }
        o.setInt(120, p.kind());
        Memory out = new Memory(8);
        NativeLib.check("eik_filter_new", NativeLib.eik_filter_new(o, out));
        // Keep the blocks reachable until the call has copied them.
        java.lang.ref.Reference.reachabilityFence(new Object[] {mc, ms, mt, mf, me, mpf, mk});
        return out.getPointer(0);
    }

    private static Memory set32(Memory o, long at, int[] values) {
        if (values == null) {
            return null;
        }
        Memory m = new Memory(Math.max(1, values.length) * 4L);
        for (int i = 0; i < values.length; i++) {
            m.setInt(i * 4L, values[i]);
        }
        o.setPointer(at, m);
        o.setLong(at + 8, values.length);
        return m;
    }

    private static Memory set16(Memory o, long at, int[] values) {
        if (values == null) {
            return null;
        }
        Memory m = new Memory(Math.max(1, values.length) * 2L);
        for (int i = 0; i < values.length; i++) {
            m.setShort(i * 2L, (short) values[i]);
        }
        o.setPointer(at, m);
        o.setLong(at + 8, values.length);
        return m;
    }

    /** The native library's version ("0.1.0"). */
    public static String version() {
        return NativeLib.eik_version().getString(0, "UTF-8");
    }

    /** The options this decoder was made with. */
    public Options options() {
        return options;
    }

    /**
     * The records of the stream, in order. A decoder has one iterator.
     *
     * @throws EindkomstException (from {@code hasNext}/{@code next}) in strict mode
     * @throws UncheckedIOException when reading the stream fails
     */
    @Override
    public Iterator<Record> iterator() {
        if (iterated) {
            throw new IllegalStateException("a decoder iterates its stream once");
        }
        iterated = true;
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                while (batchPos == batchLen) {
                    if (!fill()) {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public Record next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Record r = batch[batchPos];
                batch[batchPos++] = null;
                return r;
            }
        };
    }

    /** The records as a sequential stream; closing the stream closes the decoder. */
    public Stream<Record> stream() {
        Spliterator<Record> s = Spliterators.spliteratorUnknownSize(iterator(),
                Spliterator.ORDERED | Spliterator.NONNULL);
        return StreamSupport.stream(s, false).onClose(this::close);
    }

    /**
     * Findings so far, in stream order: every rejected line, stream error and
     * warning (lenient), or the warnings and the one that stopped the decoder
     * (strict).
     */
    public List<Finding> findings() {
        return Collections.unmodifiableList(new ArrayList<>(findings));
    }

    /** What the decoder has seen so far (after {@link #close()}: at closing). */
    public Counts counts() {
        synchronized (handle) {
            if (handle.decoder == null && lastCounts != null) {
                return lastCounts;
            }
            Memory c = new Memory(NativeLib.COUNTS_SIZE);
            NativeLib.check("eik_decoder_counts", NativeLib.eik_decoder_counts(handle.live(), c));
            Map<Integer, Counts.TypeCount> byType = new LinkedHashMap<>();
            for (int i = 0; i < NativeLib.COUNTS_TYPES; i++) {
                long at = 64 + (long) i * NativeLib.TYPE_COUNT_SIZE;
                int type = c.getShort(at + 16) & 0xFFFF;
                long decoded = c.getLong(at);
                long rejected = c.getLong(at + 8);
                if (type != 0 && decoded + rejected > 0) {
                    byType.put(type, new Counts.TypeCount(decoded, rejected));
                }
            }
            return new Counts(c.getLong(0), c.getLong(8), c.getLong(16), c.getLong(24), c.getLong(32),
                    c.getLong(40), c.getLong(48), c.getLong(56), Collections.unmodifiableMap(byType));
        }
    }

    /** The filter given to the decoder, if any. */
    public Optional<FilterOptions> filter() {
        return Optional.ofNullable(filterOptions);
    }

    /**
     * The filter's accounting so far (after {@link #close()}: at closing);
     * empty without a filter. Once the stream is read,
     * {@code seen == counts().decoded()} and {@code seen == passed + filteredOut()}.
     */
    public Optional<FilterCounts> filterCounts() {
        if (filterOptions == null) {
            return Optional.empty();
        }
        synchronized (handle) {
            if (handle.decoder == null && lastFilterCounts != null) {
                return Optional.of(lastFilterCounts);
            }
            handle.live();
            Memory c = new Memory(NativeLib.FILTER_COUNTS_SIZE);
            NativeLib.check("eik_filter_get_counts", NativeLib.eik_filter_get_counts(handle.filter, c));
            return Optional.of(new FilterCounts(c.getLong(0), c.getLong(8), c.getLong(16), c.getLong(24),
                    c.getLong(32), c.getLong(40), c.getLong(48), c.getLong(56), c.getLong(64), c.getLong(72)));
        }
    }

    /** Frees the native decoder (and filter) and closes the stream. Safe to call twice. */
    @Override
    public void close() {
        synchronized (handle) {
            if (handle.decoder != null) {
                lastCounts = counts();
                if (filterOptions != null) {
                    lastFilterCounts = filterCounts().orElse(null);
                }
            }
            cleanable.clean();
        }
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs one step: one native call, or one read from the stream. False at the end. */
    private boolean fill() {
        batchPos = 0;
        batchLen = 0;
        if (failure != null) {
            throw failure;
        }
        if (finished) {
            return false;
        }
        synchronized (handle) {
            handle.live(); // closed: throw before touching the (closed) stream
        }
        if (chunkPos == chunkLen && !eof) {
            read();
            return true;
        }
        synchronized (handle) {
            Pointer dec = handle.live();
            int status;
            long n;
            if (chunkPos < chunkLen) {
                status = NativeLib.eik_decode(dec, input.share(chunkPos), chunkLen - chunkPos, records, BATCH,
                        outs, outs.share(8));
                if (status == NativeLib.STATUS_OK) {
                    chunkPos += (int) outs.getLong(8);
                }
            } else {
                status = NativeLib.eik_finish(dec, records, BATCH, outs, outs.share(16));
                if (status == NativeLib.STATUS_OK && outs.getByte(16) != 0) {
                    finished = true;
                }
            }
            if (status == NativeLib.STATUS_FINDINGS_FULL) {
                takeFindings(dec);
                return true;
            }
            NativeLib.check(chunkPos < chunkLen ? "eik_decode" : "eik_finish", status);
            n = outs.getLong(0);
            if (handle.filter != null) {
                filterBatch((int) n);
                if (finished) {
                    NativeLib.check("eik_filter_finish", NativeLib.eik_filter_finish(handle.filter));
                }
            } else {
                for (int i = 0; i < n; i++) {
                    batch[i] = record(i);
                }
                batchLen = (int) n;
            }
            takeFindings(dec);
        }
        return true;
    }

    private void read() {
        try {
            int n = in.read(chunk, 0, CHUNK);
            if (n < 0) {
                eof = true;
                return;
            }
            input.write(0, chunk, 0, n);
            chunkLen = n;
            chunkPos = 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the decoded records [0, n) through the filter into the batch; their bytes are still valid. */
    private void filterBatch(int n) {
        Profile profile = filterOptions.profile();
        int off = 0;
        while (off < n) {
            NativeLib.check("eik_filter_records", NativeLib.eik_filter_records(handle.filter,
                    records.share((long) off * NativeLib.RECORD_SIZE), n - off, kept, KEPT_CAP, outs, outs.share(8)));
            int got = (int) outs.getLong(0);
            int used = (int) outs.getLong(8);
            if (used == 0) {
                throw new NativeCallException("eik_filter_records", 0, "no progress");
            }
            off += used;
            if (batchLen + got > batch.length) {
                batch = Arrays.copyOf(batch, batchLen + got + KEPT_CAP);
            }
            for (int i = 0; i < got; i++) {
                int at = i * NativeLib.KEPT_RECORD_SIZE;
                ByteBuffer k = keptView;
                // The projected bytes are in the filter's scratch area until its next call.
                byte[] line = new Pointer(k.getLong(at)).getByteArray(0, (int) k.getLong(at + 8));
                Layout layout = Layout.at(k.getShort(at + 46) & 0xFFFF);
                String pseudonym = null;
                if (k.get(at + 72) != 0) {
                    byte[] p = new byte[16];
                    k.get(at + 56, p);
                    pseudonym = new String(p, java.nio.charset.StandardCharsets.US_ASCII);
                }
                batch[batchLen++] = new Record(layout, line, k.getLong(at + 16), k.getLong(at + 24),
                        k.getLong(at + 32), k.getInt(at + 40), options.amountScale(),
                        profile.fieldMask(layout.recordType()), pseudonym);
            }
        }
    }

    private Record record(int i) {
        int at = i * NativeLib.RECORD_SIZE;
        long address = recordView.getLong(at);
        int len = (int) recordView.getLong(at + 8);
        byte[] line;
        if (recordView.getInt(at + 48) == 0) { // EIK_SOURCE_INPUT: in our copy of the chunk
            int start = (int) (address - inputAddress);
            line = Arrays.copyOfRange(chunk, start, start + len);
        } else {
            line = new Pointer(address).getByteArray(0, len);
        }
        int layoutIndex = recordView.getShort(at + 46) & 0xFFFF;
        return new Record(Layout.at(layoutIndex), line, recordView.getLong(at + 16), recordView.getLong(at + 24),
                recordView.getLong(at + 32), recordView.getInt(at + 40), options.amountScale());
    }

    /** Moves the pending findings into the list; in strict mode, keeps only the records before a fatal one. */
    private void takeFindings(Pointer dec) {
        long n;
        do {
            NativeLib.check("eik_take_findings", NativeLib.eik_take_findings(dec, errors, FINDINGS_BATCH, outs));
            n = outs.getLong(0);
            for (int i = 0; i < n; i++) {
                Finding f = finding(i * NativeLib.ERROR_SIZE);
                findings.add(f);
                if (options.isStrict() && failure == null && f.type() != FindingType.WARNING) {
                    failure = new EindkomstException(f);
                    while (batchLen > 0 && batch[batchLen - 1].seq() > f.seq()) {
                        batch[--batchLen] = null;
                    }
                }
            }
        } while (n == FINDINGS_BATCH);
    }

    private Finding finding(int at) {
        ByteBuffer e = errorView;
        boolean hasField = e.get(at + 73) != 0;
        return new Finding(FindingType.of(e.getInt(at + 48)), ErrorKind.of(e.getInt(at + 52)),
                staticString(e.getLong(at + 24)), staticString(e.getLong(at + 32)), e.getLong(at), e.getLong(at + 8),
                e.getLong(at + 16), e.getInt(at + 56), e.get(at + 71) != 0,
                e.get(at + 72) != 0 ? e.getShort(at + 68) & 0xFFFF : 0, hasField ? e.get(at + 70) & 0xFF : 0,
                hasField ? staticString(e.getLong(at + 40)) : "", e.getInt(at + 60) & 0xFFFFFFFFL,
                e.getInt(at + 64) & 0xFFFFFFFFL);
    }

    /** A static C string of the library (codes, messages, field names), read once. */
    private static String staticString(long address) {
        if (address == 0) {
            return "";
        }
        synchronized (STATIC_STRINGS) {
            return STATIC_STRINGS.computeIfAbsent(address, a -> new Pointer(a).getString(0, "UTF-8"));
        }
    }

    /** The native handle; also the cleaning action, so it must not refer to the decoder. */
    private static final class Handle implements Runnable {
        private Pointer decoder;
        private Pointer filter;

        Handle(Pointer decoder, Pointer filter) {
            this.decoder = decoder;
            this.filter = filter;
        }

        Pointer live() {
            if (decoder == null) {
                throw new IllegalStateException("the decoder is closed");
            }
            return decoder;
        }

        @Override
        public synchronized void run() {
            if (decoder != null) {
                NativeLib.eik_decoder_free(decoder);
                decoder = null;
            }
            if (filter != null) {
                NativeLib.eik_filter_free(filter);
                filter = null;
            }
        }
    }
}
