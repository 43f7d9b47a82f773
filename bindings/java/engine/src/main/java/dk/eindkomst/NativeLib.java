package dk.eindkomst;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * Direct JNA mapping of the C ABI 0.2 in {@code include/eindkomst.h}.
 * Internal: use {@link EindkomstDecoder} and {@link Family}. Struct sizes,
 * offsets and constants are in {@link Abi}, generated from the library.
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

    static native int eik_decoder_new(Pointer options, Pointer out, Pointer message, long messageCap);

    static native void eik_decoder_free(Pointer dec);

    static native int eik_decode(Pointer dec, Pointer input, long len, Pointer events, long cap, Pointer batch);

    static native int eik_finish(Pointer dec, Pointer events, long cap, Pointer batch);

    static native int eik_decoder_counts(Pointer dec, Pointer out);

    static native int eik_decoder_filter_counts(Pointer dec, Pointer out);

    static native int eik_profile_fields(Pointer dec, short recordType, Pointer out);

    static native Pointer eik_family_employer();

    static native int eik_family_load(Pointer json, long len, Pointer out, Pointer message, long messageCap);

    static native int eik_family_describe(Pointer family, Pointer out);

    static native int eik_family_layout(Pointer family, int index, Pointer out);

    static native int eik_family_field(Pointer family, int layout, int field, Pointer out);

    static native int eik_check_field(
            Pointer options, short recordType, int role, byte fieldNo, Pointer value, long len, Pointer out);

    static native int eik_pseudonymise(Pointer key, long keyLen, Pointer cpr, long cprLen, Pointer out);

    /** Throws {@link NativeCallException} unless {@code status} is OK. */
    static void check(String function, int status) {
        if (status != Abi.STATUS_OK) {
            throw new NativeCallException(function, status, eik_status_str(status).getString(0, "UTF-8"));
        }
    }

    /** An {@code eik_str} at {@code p + offset} as a Java string (UTF-8). */
    static String str(Pointer p, long offset) {
        Pointer s = p.getPointer(offset + Abi.STR_PTR);
        long len = p.getLong(offset + Abi.STR_LEN);
        if (s == null || len == 0) {
            return "";
        }
        return new String(s.getByteArray(0, (int) len), java.nio.charset.StandardCharsets.UTF_8);
    }
}
