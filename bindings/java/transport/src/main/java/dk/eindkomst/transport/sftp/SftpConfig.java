package dk.eindkomst.transport.sftp;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Configuration of a {@link DailyFilePoller}. Serviceplatformen: {@code sftp.serviceplatformen.dk} (test
 * {@code sftpexttest.serviceplatformen.dk}), port 22, the it-system's user with an OpenSSH key pair whose
 * public half is registered in Administrationsmodul, files arrive in {@code IN/}.
 *
 * @param host         server host
 * @param port         server port
 * @param user         SFTP user; also the recipient expected in {@code .metadata}
 * @param privateKey   the user's private key file (OpenSSH or PEM)
 * @param knownHosts   known_hosts file pinning the server's host key (unknown keys are refused)
 * @param remoteDir    delivery directory on the server, e.g. {@code IN}
 * @param workDir      local directory for partial downloads ({@code <key>.part})
 * @param ledger       local ledger file of processed files (created when missing)
 * @param doneDir      remote directory to move finished files to, or {@code null} to delete them
 * @param stableSize   when a file has no {@code .metadata}: treat it as complete once its size and mtime
 *                     are unchanged over two polls (else such files wait for their metadata)
 */
public record SftpConfig(String host, int port, String user, Path privateKey, Path knownHosts, String remoteDir,
                         Path workDir, Path ledger, String doneDir, boolean stableSize) {
    public SftpConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(knownHosts, "knownHosts");
        Objects.requireNonNull(remoteDir, "remoteDir");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(ledger, "ledger");
    }
}
