package dk.eindkomst.transport.sftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dk.eindkomst.transport.TestDirs;
import dk.eindkomst.transport.XmlMutator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The SFTP metadata reader under mutation (XmlMutator, fixed seed; Node's test/xml-fuzz.js does the same to
 * readMetadata): each input is metadata or an IllegalArgumentException, nothing else is thrown, no text in the
 * exception or its causes holds a CPR, nothing external is resolved.
 */
class MetadataFuzzTest {
    static final int INPUTS = Integer.getInteger("eindkomst.fuzz.metadata", 3000);

    static byte[] metadata(String uuid, long size) {
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FileMetadata xmlns=\"http://serviceplatformen.dk/xml/wsdl/soap11/SFTP/1/types\">"
                + "<FileTransferUUID>" + uuid + "</FileTransferUUID><FileDescriptor><FileName>eindkomst.txt</FileName><SizeInBytes>" + size
                + "</SizeInBytes><Sender>SKAT_EINDKOMST</Sender><Recipients>kommune</Recipients></FileDescriptor><FileContentDescriptor/>"
                + "</FileMetadata>\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void mutatedMetadataIsReadOrRefusedWithoutLeaks() throws Exception {
        List<byte[]> seeds = List.of(metadata("7a1c2e3f-4b5d-4e6f-8a9b-0c1d2e3f4a5b", 4711), metadata("0101604321", 123),
                                     "<Trigger><SizeInBytes>1</SizeInBytes></Trigger>".getBytes(StandardCharsets.UTF_8));
        Map<String, Integer> outcomes = new TreeMap<>();
        Path dir = Files.createTempDirectory("eik-metadata-fuzz-");
        try (XmlMutator m = new XmlMutator(20, seeds, dir)) {
            for (int i = 0; i < INPUTS; i++) {
                byte[] input = m.next();
                String shown = Base64.getEncoder().encodeToString(Arrays.copyOf(input, Math.min(600, input.length)));
                try {
                    FileMetadata md = FileMetadata.parse(input);
                    outcomes.merge("read", 1, Integer::sum);
                    assertTrue(!String.valueOf(md).contains(XmlMutator.MARKER), "an external entity was resolved; " + shown);
                } catch (IllegalArgumentException e) {
                    outcomes.merge("refused", 1, Integer::sum);
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        String leak = XmlMutator.leak(t.getMessage());
                        Throwable at = t;
                        assertNull(leak, () -> "refused with " + leak + " in " + at + "; input (Base64): " + shown);
                    }
                } catch (Throwable t) {
                    fail("threw " + t + "; input (Base64): " + shown, t);
                }
            }
            assertEquals(0, m.connections(), "the canary server was contacted");
        } finally {
            TestDirs.deleteTree(dir);
        }
        System.out.println("xml-fuzz-java metadata: " + INPUTS + " inputs " + outcomes);
        assertTrue(outcomes.getOrDefault("read", 0) > 100 && outcomes.getOrDefault("refused", 0) > 100, outcomes.toString());
    }
}
