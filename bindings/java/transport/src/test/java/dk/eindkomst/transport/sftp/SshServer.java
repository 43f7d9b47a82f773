package dk.eindkomst.transport.sftp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH {@code sshd} for tests: loopback, a free high port, a host key and a user key made here,
 * key-only auth for the current user through its own authorized_keys, {@code internal-sftp} starting in
 * {@code root/} (which holds {@code IN/}). Stopped by {@link #close()}.
 */
final class SshServer {
    final Path dir;
    final Path root;
    final Path userKey;
    final Path knownHosts;
    final int port;
    final String user = System.getProperty("user.name");
    private final Process process;

    SshServer() throws Exception {
        dir = Files.createTempDirectory("eik-sshd-");
        root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(root.resolve("IN"));
        Files.createDirectories(root.resolve("DONE"));
        userKey = dir.resolve("user_rsa");
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_ed25519").toString());
        run("ssh-keygen", "-q", "-t", "rsa", "-b", "3072", "-m", "PEM", "-N", "", "-f", userKey.toString());
        Files.copy(dir.resolve("user_rsa.pub"), dir.resolve("authorized_keys"));
        port = freePort();
        String hostPub = Files.readString(dir.resolve("host_ed25519.pub")).trim().split(" ")[1];
        knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + port + " ssh-ed25519 " + hostPub + "\n");
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "ListenAddress 127.0.0.1",
                "Port " + port,
                "HostKey " + dir.resolve("host_ed25519"),
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password",
                "AllowUsers " + user,
                "UsePAM no",
                "StrictModes no",
                "AllowTcpForwarding no",
                "X11Forwarding no",
                "Subsystem sftp internal-sftp -d " + root,
                ""));
        Files.createDirectories(Path.of("/run/sshd")); // privilege separation directory (root only)
        process = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        Process started = process;
        // Also when the test JVM ends abnormally: no sshd is left behind.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            started.children().forEach(ProcessHandle::destroyForcibly);
            started.destroyForcibly();
        }));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            if (!process.isAlive()) throw new IllegalStateException("sshd exited: " + Files.readString(dir.resolve("sshd.log")));
            try {
                new Socket("127.0.0.1", port).close();
                break;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("sshd did not listen");
                Thread.sleep(100);
            }
        }
    }

    /** Kills the per-connection sshd processes (the children of the listener): open transfers break. */
    void killSessions() {
        List<ProcessHandle> sessions = process.children().toList();
        for (ProcessHandle h : sessions) h.destroyForcibly();
    }

    SftpConfig config(Path work, boolean stableSize) {
        return new SftpConfig("127.0.0.1", port, user, userKey, knownHosts, "IN", work.resolve("parts"), work.resolve("ledger.tsv"),
                              null, stableSize);
    }

    void close() throws InterruptedException, IOException {
        process.children().forEach(ProcessHandle::destroyForcibly);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        dk.eindkomst.transport.TestDirs.deleteTree(dir);
    }

    private void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
