package dk.eindkomst.transport.sftp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dk.eindkomst.transport.Redact;
import java.nio.file.Path;
import java.util.UUID;

/** What the SFTP tests put into the delivery directory. */
final class Deliveries {
    private Deliveries() {}

    /**
     * A random FileTransferUUID without a CPR-like run, so the ledger keys the file by it as it is (about one
     * random UUID in 150 holds ten digits in a row and is keyed hashed: {@code Redact.id}, tested on its own).
     */
    static String uuid() {
        for (;;) {
            String u = UUID.randomUUID().toString();
            if (Redact.id(u).equals(u)) return u;
        }
    }

    /** A Serviceplatformen {@code <name>.metadata} file. */
    static String metadata(String uuid, String name, long size, String recipient) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FileMetadata xmlns=\"http://serviceplatformen.dk/xml/wsdl/soap11/SFTP/1/types\">"
               + "<FileTransferUUID>" + uuid + "</FileTransferUUID><FileDescriptor><FileName>" + name + "</FileName><SizeInBytes>" + size
               + "</SizeInBytes><Sender>SKAT_EINDKOMST</Sender><Recipients>" + recipient + "</Recipients></FileDescriptor>"
               + "<FileContentDescriptor/></FileMetadata>\n";
    }

    /** A valid file of {@code records} records written by the CLI ({@code eindkomst generate}) to {@code out}. */
    static Path generate(Path root, Path out, int records, int seed) throws Exception {
        Process p = new ProcessBuilder(root.resolve("target/release/eindkomst").toString(), "generate", "--records",
                                       Integer.toString(records), "--seed", Integer.toString(seed), "-o", out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        return out;
    }
}
