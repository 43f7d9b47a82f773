package dk.eindkomst;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * Direct JNA mapping of the C ABI in {@code include/eindkomst.h}. Internal:
 * use {@link EindkomstDecoder}.
 *
 * <p>The library is found, in order: at the path in the system property
 * {@code eindkomst.library}; in {@code jna.library.path}; in the jar
 * ({@code /linux-x86-64/libeindkomst.so}, put there by the build). Every
 * argument is a primitive or a {@link Pointer}: no JNA {@code Structure} or
 * {@code String} marshalling, so one call costs ~50 ns and moves a whole
 * batch. {@code size_t} is {@code long} (64-bit platforms only).
 */
final class NativeLib {
    private NativeLib() {}

    static final int STATUS_OK = 0;
    static final int STATUS_FINISHED = 4;
    static final int STATUS_FINDINGS_FULL = 5;

    // Struct sizes and offsets, from the header (x86-64 / aarch64 LP64).
    static final int OPTIONS_SIZE = 8;
    static final int RECORD_SIZE = 56;
    static final int ERROR_SIZE = 80;
    static final int COUNTS_SIZE = 832;
    static final int TYPE_COUNT_SIZE = 24;
    static final int COUNTS_TYPES = 32;
    static final int LAYOUT_SIZE = 32;
    static final int FIELD_SIZE = 32;
    static final int FILTER_OPTIONS_SIZE = 128;
    static final int KEPT_RECORD_SIZE = 80;
    static final int FILTER_COUNTS_SIZE = 80;
    static final int PROFILE_ENTRY_SIZE = 16;
    static final int FILTER_MIN_CAP = 5;

    static {
        String path = System.getProperty("eindkomst.library");
        String name = path != null && !path.isEmpty() ? path : "eindkomst";
        try {
            Native.register(NativeLib.class, name);
        } catch (UnsatisfiedLinkError e) {
            UnsatisfiedLinkError clear = new UnsatisfiedLinkError("cannot load the eindkomst native library ('" + name
                    + "'): the jar packs it from target/release of the repository, so build it first with"
                    + " `cargo build --release -p eindkomst-ffi`, or set -Deindkomst.library=/path/to/libeindkomst.so");
            clear.initCause(e);
            throw clear;
        }
    }

    static native Pointer eik_version();

    static native Pointer eik_status_str(int code);

    static native int eik_options_default(Pointer out);

    static native int eik_decoder_new(Pointer options, Pointer out);

    static native void eik_decoder_free(Pointer dec);

    static native int eik_decode(
            Pointer dec, Pointer input, long len, Pointer out, long cap, Pointer nOut, Pointer consumed);

    static native int eik_finish(Pointer dec, Pointer out, long cap, Pointer nOut, Pointer done);

    static native int eik_take_findings(Pointer dec, Pointer out, long cap, Pointer nOut);

    static native int eik_decoder_counts(Pointer dec, Pointer out);

    static native long eik_layout_count();

    static native int eik_layout_at(long index, Pointer out);

    static native int eik_layout_field(long layoutIndex, long fieldIndex, Pointer out);

    static native int eik_filter_options_default(Pointer out);

    static native int eik_filter_new(Pointer options, Pointer out);

    static native void eik_filter_free(Pointer f);

    static native int eik_filter_records(
            Pointer f, Pointer input, long nIn, Pointer out, long cap, Pointer nOut, Pointer nUsed);

    static native int eik_filter_finish(Pointer f);

    static native int eik_filter_get_counts(Pointer f, Pointer out);

    static native int eik_pseudonymise(Pointer key, long keyLen, Pointer cpr, long cprLen, Pointer out);

    /** Throws {@link NativeCallException} unless {@code status} is OK. */
    static void check(String function, int status) {
        if (status != STATUS_OK) {
            throw new NativeCallException(function, status, eik_status_str(status).getString(0, "UTF-8"));
        }
    }
}
