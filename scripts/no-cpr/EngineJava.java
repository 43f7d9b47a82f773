// The Java face of the no-CPR test (scripts/test.d/85-no-cpr.sh): runs the plan (FILE|flag,...; flags base64,
// strict, latin1, raw, family:PATH, filter:PATH) through the Java binding and prints every finding (its text and
// numbers), every exception's class and message, and the counts. Records are counted, never printed.
// The Java filter is typed (FilterOptions), it takes no JSON: filter:.../keep-one.json is run as its typed
// equivalent (the CPR of the spec, Profile.MINIMAL); every other filter: line prints "skipped: filter JSON" and is
// not run (the test compares with C over the lines run). The typed filter's own refusals, and the host-made texts
// that could echo a caller's value, are the "option refused:" lines at the end.
// Usage: java -cp ENGINE_JAR:JNA_JAR EngineJava.java PLAN CPRS_FILE SCRATCH_DIR
import dk.eindkomst.EindkomstDecoder;
import dk.eindkomst.Encoding;
import dk.eindkomst.Family;
import dk.eindkomst.FilterOptions;
import dk.eindkomst.Finding;
import dk.eindkomst.Options;
import dk.eindkomst.Profile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class EngineJava {
    static void thrown(String what, Throwable e) {
        System.out.println(what + ": " + e.getClass().getName() + ": " + e.getMessage()
                + (e.getCause() == null ? "" : " (cause " + e.getCause() + ")"));
    }

    static void finding(Finding f) {
        System.out.println("finding: " + f.type().label() + ": " + f + " [" + f.code() + ": " + f.message()
                + ", line " + f.line() + ", Lb_nr " + f.lbNr() + ", record " + f.record() + ", field " + f.fieldNo()
                + " " + f.fieldName() + ", offset " + f.offset() + ", expected " + f.expected() + ", found "
                + f.found() + "]");
    }

    interface Call {
        Object run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        for (String run : Files.readAllLines(Path.of(args[0]))) {
            String[] parts = run.split("\\|", -1);
            Options o = Options.lenient();
            FilterOptions filter = null;
            System.out.println("run " + run);
            try {
                boolean skip = false;
                for (String f : parts[1].split(",")) {
                    if (f.equals("base64")) o = o.base64(true);
                    else if (f.equals("strict")) o = o.strict(true);
                    else if (f.equals("latin1")) o = o.encoding(Encoding.LATIN1);
                    else if (f.equals("raw")) o = o.unknownRaw(true);
                    else if (f.startsWith("family:")) o = o.family(Family.fromJson(Files.readString(Path.of(f.substring(7)))));
                    else if (f.startsWith("filter:") && f.endsWith("/keep-one.json")) {
                        Matcher m = Pattern.compile("\"cprs\":\\[\"([0-9-]+)\"\\],\"profile\":\"minimal\"")
                                .matcher(Files.readString(Path.of(f.substring(7))));
                        if (!m.find()) throw new IllegalStateException("keep-one.json is not {cprs: [one], profile: minimal}");
                        filter = FilterOptions.builder().cprs(m.group(1)).profile(Profile.MINIMAL).build();
                    } else if (f.startsWith("filter:")) skip = true;
                    else if (!f.isEmpty()) throw new IllegalStateException("unknown plan flag");
                }
                if (skip) {
                    System.out.println("skipped: filter JSON");
                    continue;
                }
                int records = 0;
                try (EindkomstDecoder d = new EindkomstDecoder(Files.newInputStream(Path.of(parts[0])), o, filter)) {
                    try {
                        while (d.next()) {
                            if (d.isRecord()) records++;
                            else if (d.isFinding()) finding(d.finding());
                        }
                    } finally {
                        System.out.println("records " + records + "; " + d.counts()
                                + d.filterCounts().map(c -> "; " + c).orElse(""));
                    }
                }
            } catch (IllegalStateException e) {
                throw e;
            } catch (Exception e) {
                thrown("refused", e);
            }
        }
        // The typed filter's and the options' own refusals, and the binding's own texts, with CPRs where a value
        // could be echoed.
        List<String> cprs = Files.readAllLines(Path.of(args[1])).stream().filter(l -> l.matches("[0-9]{10}")).toList();
        String c0 = cprs.get(0), c1 = cprs.get(1), c2 = cprs.get(2), c3 = cprs.get(3);
        String dash3 = c3.substring(0, 6) + "-" + c3.substring(6);
        Path scratch = Path.of(args[2]);
        Files.createDirectories(scratch);
        // A family that loads, named with a CPR: the binding's "no such field" text must not echo the name.
        String demo = Files.readString(Path.of("testdata/families/demo.json"));
        String named = demo.replaceFirst("\"name\"\\s*:\\s*\"[^\"]*\"", "\"name\": \"" + c2 + "\"");
        if (named.equals(demo)) throw new IllegalStateException("demo.json has no family name");
        Family cprNamed = Family.fromJson(named);
        int someType = cprNamed.layouts().get(0).recordType();
        List<Call> bad = List.of(
                () -> FilterOptions.builder().cprs(c0, c1.substring(0, 5) + "O" + c1.substring(6)).build(),
                () -> FilterOptions.builder().cprs(c0 + "5").build(),
                () -> FilterOptions.builder().cprs(c0.substring(0, 6) + " " + c0.substring(6)).build(),
                () -> Profile.custom(c0, Map.of(6000, List.of(99)), List.of()),
                () -> Options.lenient().amountScale(Integer.MAX_VALUE),
                () -> FilterOptions.builder().pseudonymKey(c1.getBytes()).build(),
                () -> cprNamed.checkField(someType, 63, c0),
                () -> Family.load(scratch.resolve(dash3 + ".json")),
                () -> Family.load(scratch.resolve(c3)));
        Files.writeString(scratch.resolve(c3), "{\"family\": " + c0 + "}");
        for (Call r : bad) {
            try {
                r.run();
                System.out.println("accepted (unexpected)");
            } catch (Exception e) {
                thrown("option refused", e);
            }
        }
    }
}
