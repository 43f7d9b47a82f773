package dk.eindkomst.transport;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@link ConsumerProcess} started by a test: its "ready" line, its "stats" line, SIGKILL. */
public final class Spawned implements AutoCloseable {
    public final Process process;
    private final BufferedReader out;
    public final String ready;

    public Spawned(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Djna.nosys=true", "-Xmx256m", "-XX:+UseSerialGC",
                "-Deindkomst.root=" + System.getProperty("eindkomst.root"), ConsumerProcess.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().remove("LD_LIBRARY_PATH");
        process = pb.start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("ready")) { /* skip */ }
        // A plan that kills at the first message may do so before "ready" is written.
        if (line == null && process.waitFor() != 137) throw new IllegalStateException("consumer process ended before it was ready; see " + log);
        ready = line;
    }

    /** Waits for the process to end by itself and returns its stats line (null if it was killed). */
    public String awaitStats(long seconds) throws Exception {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("consumer process did not end in " + seconds + " s");
        }
        String line;
        String stats = null;
        while ((line = out.readLine()) != null) if (line.startsWith("stats ")) stats = line;
        return stats;
    }

    /** SIGKILL (Process.destroyForcibly on Linux) and wait for the end. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) kill();
    }
}
