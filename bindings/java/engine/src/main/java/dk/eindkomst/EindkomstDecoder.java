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
    private final Record[] batch = new Record[BATCH];
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
        if (in == null || options == null) {
            throw new NullPointerException("input stream and options are required");
        }
        this.in = in;
        this.options = options;
        Memory opts = new Memory(NativeLib.OPTIONS_SIZE);
        NativeLib.check("eik_options_default", NativeLib.eik_options_default(opts));
        opts.setByte(0, (byte) (options.isStrict() ? 1 : 0));
        opts.setByte(1, (byte) (options.isBase64() ? 1 : 0));
        opts.setByte(2, (byte) (options.isUnknownCodesReject() ? 1 : 0));
        opts.setByte(3, (byte) options.amountScale());
        opts.setInt(4, options.personLayout().ordinal());
        Memory out = new Memory(8);
        NativeLib.check("eik_decoder_new", NativeLib.eik_decoder_new(opts, out));
        handle = new Handle(out.getPointer(0));
        cleanable = CLEANER.register(this, handle);
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

    /** Frees the native decoder and closes the stream. Safe to call twice. */
    @Override
    public void close() {
        synchronized (handle) {
            if (handle.decoder != null) {
                lastCounts = counts();
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
            for (int i = 0; i < n; i++) {
                batch[i] = record(i);
            }
            batchLen = (int) n;
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
