package consumer;

import dk.eindkomst.EindkomstDecoder;
import dk.eindkomst.Record;
import java.nio.file.Files;
import java.nio.file.Path;

/** Decodes a file with the eindkomst dependency; prints records and the 6001 total. */
public class Main {
    public static void main(String[] args) throws Exception {
        long ore = 0;
        try (EindkomstDecoder decoder = new EindkomstDecoder(Files.newInputStream(Path.of(args[0])))) {
            for (Record r : decoder) {
                if (r.recordType() == 6001) {
                    ore += r.amountOre().orElse(0);
                }
            }
            System.out.println("eindkomst " + EindkomstDecoder.version() + ": " + decoder.counts().decoded()
                    + " records, 6001 total " + ore + " øre");
        }
    }
}
