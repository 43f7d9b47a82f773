package dk.eindkomst.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Temp directories of the test servers. */
public final class TestDirs {
    private TestDirs() {}

    /** Deletes {@code top} and everything under it. */
    public static void deleteTree(Path top) throws IOException {
        try (var all = Files.walk(top)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
