package dk.eindkomst;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarEntry;

/**
 * Direct JNA mapping of the C ABI 0.2 in {@code include/eindkomst.h}.
 * Internal: use {@link EindkomstDecoder} and {@link Family}. Struct sizes,
 * offsets and constants are in {@link Abi}, generated from the library.
 *
 * <p>The library is found, in order: at the path in the system property
 * {@code eindkomst.library}; in {@code jna.library.path}; in the jar
 * ({@code /linux-x86-64/libeindkomst.so}, put there by the build), extracted
 * once per user to {@code $XDG_CACHE_HOME/eindkomst/native/<crc>-<size>/}
 * ({@code ~/.cache} without XDG_CACHE_HOME) and loaded from there at later
 * starts (JNA's own extraction writes the 7 MB library to a new temporary
 * file at every start); where that directory cannot be written, by JNA's
 * own lookup. JNA's libjnidispatch is cached the same way (see
 * {@link #useCachedJnaDispatch()}). Every
 * argument is a primitive or a {@link Pointer}: no JNA {@code Structure} or
 * {@code String} marshalling, so one call costs ~50 ns and moves a whole
 * batch. {@code size_t} is {@code long} (64-bit platforms only).
 */
final class NativeLib {
    private NativeLib() {}

    /** The library in the jar, where JNA looks for it on the classpath. */
    static final String RESOURCE = "/linux-x86-64/libeindkomst.so";

    static {
        useCachedJnaDispatch();
        String path = System.getProperty("eindkomst.library");
        String name = path != null && !path.isEmpty() ? path : onLibraryPath() ? "eindkomst" : ourLibrary();
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

    /** Whether {@code jna.library.path} holds the library (JNA then loads it from there). */
    private static boolean onLibraryPath() {
        String dirs = System.getProperty("jna.library.path");
        if (dirs == null || dirs.isEmpty()) {
            return false;
        }
        for (String dir : dirs.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isRegularFile(Path.of(dir, "libeindkomst.so"))) {
                return true;
            }
        }
        return false;
    }

    /** The jar's library in the per-user cache, or the plain name (JNA's own lookup). */
    static String ourLibrary() {
        Path lib = cached(NativeLib.class.getResource(RESOURCE), "libeindkomst.so");
        return lib != null ? lib.toString() : "eindkomst";
    }

    /**
     * JNA's own native part (libjnidispatch, from the JNA jar in use) from the same per-user
     * cache: JNA otherwise writes it to a new temporary file at every start (~25 ms). Only on
     * linux-x86-64 (the platform the jar's library is built for) and only when the
     * application set neither {@code jna.boot.library.path} nor {@code jna.boot.library.name};
     * it sets {@code jna.boot.library.path}, which JNA reads once, when it loads.
     */
    private static void useCachedJnaDispatch() {
        if (System.getProperty("jna.boot.library.path") != null || System.getProperty("jna.boot.library.name") != null
                || !"Linux".equals(System.getProperty("os.name")) || !"amd64".equals(System.getProperty("os.arch"))) {
            return;
        }
        // A class literal loads the class without initialising it: JNA has not loaded anything yet.
        Path lib = cached(Native.class.getResource("/com/sun/jna/linux-x86-64/libjnidispatch.so"), "libjnidispatch.so");
        if (lib != null) {
            System.setProperty("jna.boot.library.path", lib.getParent().toString());
        }
    }

    /**
     * A library inside a jar ({@code url}), in the per-user cache as {@code file} (extracted
     * now if it is not there yet), or {@code null} when it is not in a jar or the cache cannot
     * be used. The directory is named by the jar entry's CRC-32 and size, so a new build gets
     * a new one; the file is written under a temporary name and moved into place, so a file
     * that exists is whole (checked again by its size).
     */
    static Path cached(URL url, String file) {
        if (url == null) {
            return null;
        }
        try {
            long crc;
            long size;
            URLConnection c = url.openConnection();
            if (c instanceof JarURLConnection jar) {
                jar.setUseCaches(false);
                JarEntry entry = jar.getJarEntry();
                crc = entry.getCrc();
                size = entry.getSize();
                jar.getJarFile().close();
            } else {
                return null; // not from a jar (classes directory): JNA finds it there itself
            }
            if (crc < 0 || size < 0) {
                return null;
            }
            // Not String.format: its regex and locale data cost ~20 ms at start-up.
            Path dir = cacheRoot().resolve(Long.toHexString(crc) + "-" + size);
            Path lib = dir.resolve(file);
            if (Files.isRegularFile(lib) && Files.size(lib) == size) {
                return lib;
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file, ".tmp");
            try (InputStream in = url.openStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            if (Files.size(tmp) != size) {
                Files.deleteIfExists(tmp);
                return null;
            }
            try {
                Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                Files.deleteIfExists(tmp); // another process put it there first
            }
            return lib;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** {@code $XDG_CACHE_HOME/eindkomst/native}, or {@code ~/.cache/eindkomst/native}. */
    private static Path cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        // The XDG spec: a relative XDG_CACHE_HOME is invalid and ignored.
        Path base = xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("eindkomst").resolve("native");
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
