package dk.eindkomst;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/** Paths of the repository's test data and CLI, and the CLI's {@code --raw} JSON of a record. */
final class TestFiles {
    private TestFiles() {}

    static Path root() {
        String root = System.getProperty("eindkomst.root");
        Path p = Paths.get(root == null || root.isEmpty() ? "../../.." : root).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p.resolve("testdata/sample.txt"))) {
            throw new IllegalStateException("repository root not found at " + p);
        }
        return p;
    }

    static Path sample() {
        return root().resolve("testdata/sample.txt");
    }

    /** The CLI: {@code -Deindkomst.cli} or {@code $EINDKOMST_CLI} if set, else the repository's release build. */
    static Path cli() {
        String given = System.getProperty("eindkomst.cli", System.getenv().getOrDefault("EINDKOMST_CLI", ""));
        Path cli = given.isEmpty() ? root().resolve("target/release/eindkomst") : Paths.get(given);
        if (!Files.isExecutable(cli)) {
            throw new IllegalStateException(cli + " not built: cargo build --release -p eindkomst-cli");
        }
        return cli;
    }

    /** {@code {"line":N,"record":"6001","fields":{"1":"...",...}}}, exactly as {@code eindkomst decode --raw}. */
    static String rawJson(AbstractRecord r) {
        StringBuilder s = new StringBuilder(320).append("{\"line\":").append(r.line()).append(",\"record\":\"");
        s.append(r.layout().key()).append("\",\"fields\":{");
        boolean first = true;
        for (Map.Entry<Integer, String> f : r.fields().entrySet()) {
            if (!first) {
                s.append(',');
            }
            first = false;
            s.append('"').append(f.getKey()).append("\":\"");
            String v = f.getValue();
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '"' || c == '\\') {
                    s.append('\\').append(c);
                } else if (c < 0x20) {
                    s.append(String.format("\\u%04x", (int) c));
                } else {
                    s.append(c);
                }
            }
            s.append('"');
        }
        return s.append("}}").toString();
    }
}
