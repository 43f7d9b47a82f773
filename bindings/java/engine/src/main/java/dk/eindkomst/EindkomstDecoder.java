package dk.eindkomst;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
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
 * Decodes an eIndkomst stream with the native engine: one ordered stream of
 * events (records, raw lines, findings) in input order.
 *
 * <p>Fast, with no object per record: a cursor over the events, the record a
 * {@link RecordView} read in place from the decoder's buffers (the chunk as read, one heap
 * copy per chunk).
 *
 * <pre>{@code
 * try (EindkomstDecoder d = new EindkomstDecoder(Files.newInputStream(path))) {
 *     while (d.next()) {
 *         if (d.isRecord() && d.record().recordType() == 6001) total += d.record().amountOre().orElse(0);
 *         else if (d.isFinding()) log.warn(d.finding().toString());
 *     }
 * }
 * }</pre>
 *
 * <p>Simple, one owned {@link Record} per record: {@code for (Record r : decoder)},
 * with the findings collected in {@link #findings()}.
 *
 * <p>The input is read in chunks of {@value #CHUNK} bytes (a file straight into a
 * direct buffer); one native call
 * fills up to {@value #BATCH} events. The chunk is copied once to a heap array, which the
 * record view reads. In lenient mode (the default) findings
 * are events like records and are also collected in {@link #findings()}; in
 * strict mode the first rejected line or stream error throws
 * {@link EindkomstException}, after every record before it. With a
 * {@link FilterOptions} the engine filters inside: only kept records come,
 * projected, and {@link #filterCounts()} accounts for the rest.
 *
 * <p>Not thread-safe: use one decoder from one thread at a time. A decoder
 * reads its stream once. {@link #close()} frees the native decoder and
 * closes the stream; a decoder that is not closed is freed when it becomes
 * unreachable. Using a closed decoder throws {@link IllegalStateException}.
 */
public final class EindkomstDecoder implements AutoCloseable, Iterable<Record> {
    /** Bytes read from the stream at a time. */
    public static final int CHUNK = 1 << 20;
    /** Most events one native call returns. */
    public static final int BATCH = 4096;

    private static final Cleaner CLEANER = Cleaner.create();
    private static final Map<Long, String> STATIC_STRINGS = new LinkedHashMap<>();

    /** The kind of the current event. */
    public enum EventType {
        /** A decoded record: {@link #record()}. */
        RECORD,
        /** A line with an unknown record key passed through: {@link #raw()}. */
        RAW,
        /** A rejected line, a stream error or a warning: {@link #finding()}. */
        FINDING
    }

    private final InputStream stream;
    private final ReadableByteChannel in;
    private final Options options;
    private final FilterOptions filterOptions;
    private final Family family;
    private final Handle handle;
    private final Cleaner.Cleanable cleanable;

    private final Memory input = new Memory(CHUNK);
    private final long inputAddress = Pointer.nativeValue(input);
    private final ByteBuffer inputBuf = input.getByteBuffer(0, CHUNK);
    // The chunk and the batch's scratch area, copied to the heap once per chunk and per
    // batch: the record view reads plain arrays (far cheaper per byte than a direct buffer).
    private final byte[] inputArr = new byte[CHUNK];
    private byte[] scratchArr = new byte[0];
    private final Memory events = new Memory((long) BATCH * Abi.EVENT_SIZE);
    private final ByteBuffer ev = events.getByteBuffer(0, events.size()).order(ByteOrder.LITTLE_ENDIAN);
    private final Memory batch = new Memory(Abi.BATCH_SIZE);
    private long scratchAddress;

    private int chunkLen;
    private int chunkPos;
    private boolean eof;
    private boolean stopped;
    private boolean done;
    private int n;
    private int at = -1;
    private int type;
    private final long[] permitted;
    private final Layout[] layouts; // the family's, as an array: one load per record
    private final RecordView view = new RecordView();
    private Finding finding;
    private final List<Finding> findings = new ArrayList<>();
    private EindkomstException failure;
    private boolean iterated;
    private Counts lastCounts;
    private FilterCounts lastFilterCounts;

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
     *
     * @throws IllegalArgumentException when the engine refuses the filter (the reason never holds a CPR)
     */
    public EindkomstDecoder(InputStream in, Options options, FilterOptions filter) {
        if (in == null || options == null) {
            throw new NullPointerException("input stream and options are required");
        }
        this.stream = in;
        // A file is read straight into the direct buffer; other streams through a copy.
        this.in = in instanceof java.io.FileInputStream f ? f.getChannel() : Channels.newChannel(in);
        this.options = options;
        this.filterOptions = filter;
        this.family = options.family();
        Pointer dec = newDecoder(options, filter);
        handle = new Handle(dec);
        cleanable = CLEANER.register(this, handle);
        permitted = new long[family.layouts().size()];
        layouts = family.layouts().toArray(new Layout[0]);
        Memory mask = new Memory(8);
        for (Layout l : family.layouts()) {
            if (filter == null) {
                permitted[l.index()] = -1L;
            } else {
                NativeLib.check("eik_profile_fields", NativeLib.eik_profile_fields(dec, (short) l.recordType(), mask));
                permitted[l.index()] = mask.getLong(0);
            }
        }
        view.amountScale = options.amountScale();
        view.events = ev;
    }

    private static Pointer newDecoder(Options options, FilterOptions filter) {
        Memory opts = new Memory(Abi.OPTIONS_SIZE);
        NativeLib.check("eik_options_default", NativeLib.eik_options_default(opts));
        options.write(opts);
        Memory json = null;
        Memory key = null;
        if (filter != null) {
            byte[] text = filter.toJson().getBytes(StandardCharsets.UTF_8);
            json = new Memory(text.length);
            json.write(0, text, 0, text.length);
            opts.setPointer(Abi.OPTIONS_FILTER_JSON, json);
            opts.setLong(Abi.OPTIONS_FILTER_JSON_LEN, text.length);
            byte[] k = filter.key();
            if (k != null) {
                key = new Memory(k.length);
                key.write(0, k, 0, k.length);
                opts.setPointer(Abi.OPTIONS_PSEUDONYM_KEY, key);
                opts.setLong(Abi.OPTIONS_PSEUDONYM_KEY_LEN, k.length);
            }
        }
        Memory out = new Memory(8);
        Memory msg = new Memory(512);
        msg.setByte(0, (byte) 0);
        int status = NativeLib.eik_decoder_new(opts, out, msg, 512);
        java.lang.ref.Reference.reachabilityFence(json);
        java.lang.ref.Reference.reachabilityFence(key);
        if (status == Abi.STATUS_INVALID_FILTER || status == Abi.STATUS_INVALID_ARGUMENT) {
            throw new IllegalArgumentException("eindkomst: " + msg.getString(0, "UTF-8"));
        }
        NativeLib.check("eik_decoder_new", status);
        return out.getPointer(0);
    }

    /** The fields {@code profile} shows for a record type of the employer family (bit n: field n). */
    static long profileFields(Profile profile, int recordType) {
        Pointer dec = newDecoder(Options.lenient(), FilterOptions.builder().profile(profile).build());
        try {
            Memory mask = new Memory(8);
            NativeLib.check("eik_profile_fields", NativeLib.eik_profile_fields(dec, (short) recordType, mask));
            return mask.getLong(0);
        } finally {
            NativeLib.eik_decoder_free(dec);
        }
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

        /** The decoder; the filter is handed to the engine now. */
        public EindkomstDecoder build() {
            return new EindkomstDecoder(in, options, filter);
        }
    }

    /** The native library's version ("0.2.0"). */
    public static String version() {
        return NativeLib.eik_version().getString(0, "UTF-8");
    }

    /** The options this decoder was made with. */
    public Options options() {
        return options;
    }

    /** The family it decodes. */
    public Family family() {
        return family;
    }

    // ---- the event cursor ------------------------------------------------------

    /**
     * Moves to the next event; false at the end of the stream. The previous
     * event's {@link RecordView} is then no longer valid.
     *
     * @throws EindkomstException in strict mode, at the first rejected line or stream error
     * @throws UncheckedIOException when reading the stream fails
     */
    public boolean next() {
        if (failure != null) {
            throw failure;
        }
        while (++at >= n) {
            if (!fill()) {
                at = n;
                return false;
            }
        }
        load(at);
        return true;
    }

    /** The current event's type. */
    public EventType eventType() {
        return type == Abi.EVENT_TYPE_RECORD ? EventType.RECORD
                : type == Abi.EVENT_TYPE_RAW ? EventType.RAW : EventType.FINDING;
    }

    /** Whether the current event is a record. */
    public boolean isRecord() {
        return type == Abi.EVENT_TYPE_RECORD;
    }

    /** Whether the current event is a finding. */
    public boolean isFinding() {
        return type >= Abi.EVENT_TYPE_REJECTED;
    }

    /**
     * The current record, read in place: valid until {@link #next()};
     * {@link RecordView#copy()} keeps it.
     *
     * @throws IllegalStateException when the current event is not a record
     */
    public RecordView record() {
        if (type != Abi.EVENT_TYPE_RECORD) {
            throw new IllegalStateException("the current event is not a record");
        }
        return view;
    }

    /** The current finding. */
    public Finding finding() {
        if (type < Abi.EVENT_TYPE_REJECTED) {
            throw new IllegalStateException("the current event is not a finding");
        }
        return finding;
    }

    /** The current raw line (an unknown record key passed through), copied. */
    public RawLine raw() {
        if (type != Abi.EVENT_TYPE_RAW) {
            throw new IllegalStateException("the current event is not a raw line");
        }
        int e = at * Abi.EVENT_SIZE;
        byte[] bytes = bytesOf(e);
        int ks = ev.get(e + Abi.EVENT_KEY_START) & 0xFF;
        int kl = ev.get(e + Abi.EVENT_KEY_LEN) & 0xFF;
        return new RawLine(ev.getLong(e + Abi.EVENT_LINE), ev.getLong(e + Abi.EVENT_OFFSET),
                new String(bytes, ks, Math.min(kl, bytes.length - ks), StandardCharsets.ISO_8859_1), bytes);
    }

    private byte[] bytesOf(int e) {
        long ptr = ev.getLong(e + Abi.EVENT_BYTES);
        int len = ev.getInt(e + Abi.EVENT_LEN);
        boolean inScratch = (ev.get(e + Abi.EVENT_FLAGS) & Abi.EVENT_IN_SCRATCH) != 0;
        int pos = (int) (ptr - (inScratch ? scratchAddress : inputAddress));
        return java.util.Arrays.copyOfRange(inScratch ? scratchArr : inputArr, pos, pos + len);
    }

    /** Runs one native call (reading the stream when needed). False once everything was delivered. */
    private boolean fill() {
        Pointer dec = handle.live();
        if (done) {
            return false;
        }
        at = -1;
        n = 0;
        if (chunkPos == chunkLen && !eof && !stopped) {
            readChunk();
        }
        if (chunkPos < chunkLen && !stopped) {
            NativeLib.check("eik_decode", NativeLib.eik_decode(dec, new Pointer(inputAddress + chunkPos),
                    chunkLen - chunkPos, events, BATCH, batch));
            chunkPos += (int) batch.getLong(Abi.BATCH_CONSUMED);
            stopped = batch.getByte(Abi.BATCH_DONE) != 0;
        } else {
            NativeLib.check("eik_finish", NativeLib.eik_finish(dec, events, BATCH, batch));
            done = batch.getByte(Abi.BATCH_DONE) != 0;
        }
        n = (int) batch.getLong(Abi.BATCH_N_EVENTS);
        long scratchLen = batch.getLong(Abi.BATCH_SCRATCH_LEN);
        scratchAddress = Pointer.nativeValue(batch.getPointer(Abi.BATCH_SCRATCH));
        if (scratchLen > 0) {
            if (scratchArr.length < scratchLen) {
                scratchArr = new byte[(int) Math.max(scratchLen, 2L * scratchArr.length)];
            }
            new Pointer(scratchAddress).read(0, scratchArr, 0, (int) scratchLen);
        }
        return true;
    }

    /** Fills the input buffer (up to {@value #CHUNK} bytes, or the end of the stream). */
    private void readChunk() {
        inputBuf.clear();
        try {
            int got = 0;
            // A stream's channel may hand out a few KiB per read: fill the buffer, so one
            // native call sees a whole chunk.
            while (inputBuf.hasRemaining() && (got = in.read(inputBuf)) >= 0) {
                if (got == 0 && inputBuf.position() > 0) {
                    break;
                }
            }
            eof = got < 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        chunkLen = inputBuf.position();
        chunkPos = 0;
        inputBuf.get(0, inputArr, 0, chunkLen);
    }

    /**
     * The event's layout, kind, type and flags lie in the 8 bytes from its record type
     * ({@code eik_event}): {@link #load} reads them with one {@code getLong} (a read
     * of the direct buffer costs a bounds and a scope check each). Where each one sits
     * in that long, from the generated offsets; checked once here.
     */
    private static final int PACKED = Abi.EVENT_RECORD_TYPE;
    private static final int TYPE_SHIFT = (Abi.EVENT_EVENT_TYPE - PACKED) * 8;
    private static final int FLAGS_SHIFT = (Abi.EVENT_FLAGS - PACKED) * 8;
    private static final int LAYOUT_SHIFT = (Abi.EVENT_LAYOUT - PACKED) * 8;

    static {
        for (int at : new int[] {Abi.EVENT_EVENT_TYPE, Abi.EVENT_FLAGS, Abi.EVENT_LAYOUT + 1}) {
            if (at < PACKED || at >= PACKED + 8) {
                throw new ExceptionInInitializerError("eik_event: type, flags and layout not within 8 bytes");
            }
        }
    }

    private void load(int i) {
        int e = i * Abi.EVENT_SIZE;
        long packed = ev.getLong(e + PACKED);
        type = (int) (packed >>> TYPE_SHIFT) & 0xFF;
        if (type == Abi.EVENT_TYPE_RECORD) {
            long ptr = ev.getLong(e + Abi.EVENT_BYTES);
            int flags = (int) (packed >>> FLAGS_SHIFT) & 0xFF;
            RecordView v = view;
            if ((flags & Abi.EVENT_IN_SCRATCH) != 0) {
                v.buf = scratchArr;
                v.pos = (int) (ptr - scratchAddress);
            } else {
                v.buf = inputArr;
                v.pos = (int) (ptr - inputAddress);
            }
            int layout = (int) (packed >>> LAYOUT_SHIFT) & 0xFFFF;
            v.layout = layouts[layout];
            v.event = e; // line, Lb_nr and offset are read from there when asked
            v.permitted = permitted[layout];
            v.pseudonymAt = (flags & Abi.EVENT_HAS_PSEUDONYM) != 0 ? v.pos + ev.getInt(e + Abi.EVENT_LEN) : -1;
        } else if (type >= Abi.EVENT_TYPE_REJECTED) {
            int flags = ev.get(e + Abi.EVENT_FLAGS);
            FindingType ft = type == Abi.EVENT_TYPE_REJECTED ? FindingType.REJECTED
                    : type == Abi.EVENT_TYPE_ERROR ? FindingType.ERROR : FindingType.WARNING;
            boolean hasField = (flags & Abi.EVENT_HAS_FIELD) != 0;
            finding = new Finding(ft, ev.getShort(e + Abi.EVENT_KIND) & 0xFFFF,
                    new String(bytesOf(e), StandardCharsets.UTF_8), ev.getLong(e + Abi.EVENT_LINE),
                    ev.getLong(e + Abi.EVENT_OFFSET), ev.getInt(e + Abi.EVENT_LB_NR),
                    (flags & Abi.EVENT_HAS_LB_NR) != 0,
                    (flags & Abi.EVENT_HAS_RECORD_TYPE) != 0 ? ev.getShort(e + Abi.EVENT_RECORD_TYPE) & 0xFFFF : 0,
                    hasField ? ev.get(e + Abi.EVENT_FIELD_NO) & 0xFF : 0,
                    hasField ? staticString(ev.getLong(e + Abi.EVENT_FIELD_NAME + Abi.STR_PTR),
                            ev.getLong(e + Abi.EVENT_FIELD_NAME + Abi.STR_LEN)) : "",
                    ev.getLong(e + Abi.EVENT_EXPECTED), ev.getLong(e + Abi.EVENT_FOUND));
            findings.add(finding);
            if (options.isStrict() && finding.isFatal()) {
                failure = new EindkomstException(finding);
                throw failure;
            }
        }
    }

    /** A string of the library or its family (field names), read once. */
    private static String staticString(long address, long len) {
        if (address == 0 || len == 0) {
            return "";
        }
        synchronized (STATIC_STRINGS) {
            return STATIC_STRINGS.computeIfAbsent(address,
                    a -> new String(new Pointer(a).getByteArray(0, (int) len), StandardCharsets.UTF_8));
        }
    }

    // ---- owned records -----------------------------------------------------------

    /**
     * The records of the stream, in order, each an owned {@link Record}
     * (copied). A decoder has one iterator; findings go to {@link #findings()}.
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
            private boolean ready;

            @Override
            public boolean hasNext() {
                while (!ready) {
                    if (!EindkomstDecoder.this.next()) {
                        return false;
                    }
                    ready = type == Abi.EVENT_TYPE_RECORD;
                }
                return true;
            }

            @Override
            public Record next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ready = false;
                return view.copy();
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
            Memory c = new Memory(Abi.COUNTS_SIZE);
            NativeLib.check("eik_decoder_counts", NativeLib.eik_decoder_counts(handle.live(), c));
            Map<Integer, Counts.TypeCount> byType = new LinkedHashMap<>();
            for (int i = 0; i < Abi.COUNTS_TYPES; i++) {
                long t = Abi.COUNTS_BY_TYPE + (long) i * Abi.TYPE_COUNT_SIZE;
                int type = c.getShort(t + Abi.TYPE_COUNT_RECORD_TYPE) & 0xFFFF;
                long decoded = c.getLong(t + Abi.TYPE_COUNT_DECODED);
                long rejected = c.getLong(t + Abi.TYPE_COUNT_REJECTED);
                if (type != 0 && decoded + rejected > 0) {
                    byType.put(type, new Counts.TypeCount(decoded, rejected));
                }
            }
            return new Counts(c.getLong(Abi.COUNTS_LINES), c.getLong(Abi.COUNTS_DECODED),
                    c.getLong(Abi.COUNTS_REJECTED), c.getLong(Abi.COUNTS_WARNINGS), c.getLong(Abi.COUNTS_ERRORS),
                    c.getLong(Abi.COUNTS_SUPPRESSED), c.getLong(Abi.COUNTS_BYTES),
                    c.getLong(Abi.COUNTS_REJECTED_UNTYPED), Collections.unmodifiableMap(byType),
                    c.getLong(Abi.COUNTS_RAW));
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
            Memory c = new Memory(Abi.FILTER_COUNTS_SIZE);
            NativeLib.check("eik_decoder_filter_counts", NativeLib.eik_decoder_filter_counts(handle.live(), c));
            return Optional.of(new FilterCounts(c.getLong(Abi.FILTER_COUNTS_SEEN), c.getLong(Abi.FILTER_COUNTS_PASSED),
                    c.getLong(Abi.FILTER_COUNTS_HELD), c.getLong(Abi.FILTER_COUNTS_CPR), c.getLong(Abi.FILTER_COUNTS_SE),
                    c.getLong(Abi.FILTER_COUNTS_RECORD_TYPE), c.getLong(Abi.FILTER_COUNTS_FELT),
                    c.getLong(Abi.FILTER_COUNTS_PERIOD), c.getLong(Abi.FILTER_COUNTS_PARENT_DROPPED),
                    c.getLong(Abi.FILTER_COUNTS_EMPTY_HEADER)));
        }
    }

    /** Frees the native decoder and closes the stream. Safe to call twice. */
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
            stream.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes a whole byte array: every record owned, findings in {@link #findings()}. */
    static EindkomstDecoder of(byte[] bytes, Options options) {
        return new EindkomstDecoder(new ByteArrayInputStream(bytes), options);
    }

    /** The native handle; also the cleaning action, so it must not refer to the decoder. */
    private static final class Handle implements Runnable {
        private Pointer decoder;

        Handle(Pointer decoder) {
            this.decoder = decoder;
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
        }
    }
}
