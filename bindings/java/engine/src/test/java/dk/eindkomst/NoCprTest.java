package dk.eindkomst;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binding's own texts never echo a CPR number (scripts/test.d/85-no-cpr.sh
 * found the family name and the file path in them): a value that could be one
 * is masked by the engine's rule.
 */
class NoCprTest {
    static final String CPR = "6512851234";

    static void noCpr(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            assertFalse(m.contains(CPR) || m.contains("651285-1234") || m.contains("1501901234"), m);
        }
    }

    @Test
    void maskRuleIsTheEngines() {
        assertEquals("se_nrs: ********** and **********", Redact.maskCprLike("se_nrs: 610190-1234 and 6101901234"));
        assertEquals("line 61019012345, Lb_nr 1234567", Redact.maskCprLike("line 61019012345, Lb_nr 1234567"));
        assertEquals("a**********b", Redact.maskCprLike("a6101901234b"));
    }

    @Test
    void familyNameIsNotEchoed() throws Exception {
        String demo = Files.readString(FamilyTest.families().resolve("demo.json"));
        Family f = Family.fromJson(demo.replaceFirst("\"name\"\\s*:\\s*\"demo\"", "\"name\": \"" + CPR + "\""));
        assertEquals(CPR, f.name());
        int type = f.layouts().get(0).recordType();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.checkField(type, 63, "1"));
        noCpr(e);
        assertTrue(e.getMessage().contains("**********"), e.getMessage());
    }

    @Test
    void familyPathIsNotEchoed(@TempDir Path dir) throws Exception {
        noCpr(assertThrows(NoSuchFileException.class, () -> Family.load(dir.resolve("651285-1234.json"))));
        Files.writeString(dir.resolve(CPR), "{\"family\": " + CPR + "}");
        noCpr(assertThrows(IllegalArgumentException.class, () -> Family.load(dir.resolve(CPR))));
    }

    @Test
    void numbersOutOfRangeAreNotEchoed() {
        // A real-shaped CPR fits an int (day 15): not echoed by a range check.
        int cpr = 1501901234;
        noCpr(assertThrows(IllegalArgumentException.class, () -> FilterOptions.builder().seNrs(cpr)));
        noCpr(assertThrows(IllegalArgumentException.class, () -> FilterOptions.builder().recordTypes(cpr)));
        noCpr(assertThrows(IllegalArgumentException.class, () -> FilterOptions.builder().feltnumre(cpr)));
        noCpr(assertThrows(IllegalArgumentException.class, () -> Options.lenient().amountScale(cpr)));
        noCpr(assertThrows(IllegalArgumentException.class, () -> Profile.custom(Map.of(cpr, List.of(1)), null)));
        noCpr(assertThrows(IllegalArgumentException.class, () -> Profile.custom(Map.of(6000, List.of(cpr)), null)));
        noCpr(assertThrows(IllegalArgumentException.class, () -> Profile.custom(Map.of(6000, List.of(1)), List.of(cpr))));
    }
}
