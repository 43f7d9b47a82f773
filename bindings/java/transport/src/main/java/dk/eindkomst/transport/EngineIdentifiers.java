package dk.eindkomst.transport;

import dk.eindkomst.EindkomstDecoder;
import dk.eindkomst.Finding;
import dk.eindkomst.FindingType;
import dk.eindkomst.Options;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@link IdentifierCheck} done by the engine: the identifier is written into a synthetic, otherwise valid
 * eIndkomst file (a CPR into the 6000's {@code Person_CPR_nr}, an SE-nr into the 2001's
 * {@code Virksomhed_SE_nr}) and the engine decodes it; a finding on that field is the verdict. The C ABI has
 * no call to validate one identifier, so this is how the engine's rules (and only them) decide. Thread-safe.
 */
public final class EngineIdentifiers implements IdentifierCheck {
    /** Physical line (1-based) and 0-based column of the probe fields, fixed by the layouts. */
    private static final int CPR_LINE = 9, CPR_AT = 19, CPR_LEN = 10;
    private static final int SE_LINE = 2, SE_AT = 27, SE_LEN = 8;

    private final byte[] probe;
    private final int cprOffset;
    private final int seOffset;

    public EngineIdentifiers() {
        try (InputStream in = EngineIdentifiers.class.getResourceAsStream("identifier-probe.txt")) {
            probe = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cprOffset = lineStart(CPR_LINE) + CPR_AT;
        seOffset = lineStart(SE_LINE) + SE_AT;
        String problem = verdict(probe.clone(), "");
        if (problem != null) throw new IllegalStateException("identifier probe is not clean: " + problem);
    }

    @Override
    public String cprProblem(String cpr) {
        return check(cpr, cprOffset, CPR_LEN, "Person_CPR_nr");
    }

    @Override
    public String seNrProblem(String seNr) {
        return check(seNr, seOffset, SE_LEN, "Virksomhed_SE_nr");
    }

    private String check(String value, int offset, int len, String field) {
        // A fixed-width field cannot hold another length; the engine would see a different line.
        if (value.length() != len) return "wrong_length";
        byte[] file = probe.clone();
        byte[] v = value.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(v, 0, file, offset, len);
        return verdict(file, field);
    }

    /** The code of the first non-warning finding (on {@code field}, or any when the field is empty), else null. */
    private static String verdict(byte[] file, String field) {
        try (EindkomstDecoder d = new EindkomstDecoder(new ByteArrayInputStream(file), Options.lenient())) {
            d.forEach(r -> { });
            for (Finding f : d.findings()) {
                if (f.type() == FindingType.WARNING) continue;
                if (field.isEmpty() || field.equals(f.fieldName())) return f.code();
                return "record_rejected:" + f.code();
            }
            return null;
        }
    }

    private int lineStart(int line) {
        int at = 0;
        for (int l = 1; l < line; l++) {
            while (probe[at] != '\n') at++;
            at++;
        }
        return at;
    }
}
