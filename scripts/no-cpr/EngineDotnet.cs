// The C# face of the no-CPR test (scripts/test.d/85-no-cpr.sh): runs the plan (FILE|flag,...; flags base64,
// strict, latin1, raw, family:PATH, filter:PATH) through the C# binding and prints every finding (its text and
// numbers), every exception's type and message, and the counts. Records are counted, never printed.
// The C# filter is typed (FilterOptions), it takes no JSON: filter:.../keep-one.json is run as its typed
// equivalent (the CPR of the spec, Profile.Minimal); every other filter: line prints "skipped: filter JSON" and is
// not run (the test compares with C over the lines run). The typed filter's own refusals, and the host-made texts
// that could echo a caller's value, are the "option refused:" lines at the end.
// Usage: mono EngineDotnet.exe PLAN CPRS_FILE SCRATCH_DIR (from the repository root)
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Eindkomst;

static class EngineDotnet
{
    static void Thrown(string what, Exception e) =>
        Console.WriteLine(what + ": " + e.GetType().FullName + ": " + e.Message.Replace("\n", " | ")
            + (e.InnerException == null ? "" : " (inner " + e.InnerException.Message.Replace("\n", " | ") + ")"));

    static void Print(Finding f) =>
        Console.WriteLine($"finding: {f.Label}: {f} [{f.Code}: {f.Message}, line {f.Line}, Lb_nr {f.LbNr}, record {f.Record}, field {f.FieldNo} {f.FieldName}, offset {f.Offset}, expected {f.Expected}, found {f.Found}]");

    static int Main(string[] args)
    {
        foreach (string run in File.ReadAllLines(args[0]))
        {
            string[] parts = run.Split('|');
            var o = new Options();
            FilterOptions filter = null;
            bool skip = false;
            Console.WriteLine("run " + run);
            try
            {
                foreach (string f in parts[1].Split(','))
                {
                    if (f == "base64") o.Base64 = true;
                    else if (f == "strict") o.Strict = true;
                    else if (f == "latin1") o.Encoding = TextEncoding.Latin1;
                    else if (f == "raw") o.UnknownRaw = true;
                    else if (f.StartsWith("family:")) o.Family = Family.FromJson(File.ReadAllText(f.Substring(7)));
                    else if (f.StartsWith("filter:") && f.EndsWith("/keep-one.json"))
                    {
                        var m = Regex.Match(File.ReadAllText(f.Substring(7)), "\"cprs\":\\[\"([0-9-]+)\"\\],\"profile\":\"minimal\"");
                        if (!m.Success) { Console.Error.WriteLine("keep-one.json is not {cprs: [one], profile: minimal}"); return 2; }
                        filter = new FilterOptions { Cprs = new[] { m.Groups[1].Value }, Profile = Profile.Minimal };
                    }
                    else if (f.StartsWith("filter:")) skip = true;
                    else if (f != "") { Console.Error.WriteLine("unknown plan flag"); return 2; }
                }
                if (skip)
                {
                    Console.WriteLine("skipped: filter JSON");
                    continue;
                }
                int records = 0;
                using (var r = new EindkomstReader(File.OpenRead(parts[0]), o, filter))
                {
                    try
                    {
                        while (r.Next())
                        {
                            if (r.Current == EventType.Record) records++;
                            else if (r.Current == EventType.Finding) Print(r.Finding);
                        }
                    }
                    finally
                    {
                        var c = r.Counts;
                        Console.WriteLine($"records {records}; lines {c.Lines}, decoded {c.Decoded}, rejected {c.Rejected}, warnings {c.Warnings}, errors {c.Errors}, raw {c.Raw}"
                            + (filter == null ? "" : "; " + r.FilterCounts));
                    }
                }
            }
            catch (Exception e)
            {
                Thrown("refused", e);
            }
        }
        // The typed filter's and the options' own refusals, and the binding's own texts, with CPRs where a value
        // could be echoed.
        var cprs = File.ReadAllLines(args[1]).Where(l => l.Length == 10 && l.All(char.IsDigit)).ToList();
        string c0 = cprs[0], c1 = cprs[1], c2 = cprs[2], c3 = cprs[3];
        string dash3 = c3.Substring(0, 6) + "-" + c3.Substring(6);
        string scratch = args[2];
        Directory.CreateDirectory(scratch);
        // A family that loads, named with a CPR: the binding's "no such field" text must not echo the name.
        string demo = File.ReadAllText("testdata/families/demo.json");
        string named = new Regex("\"name\"\\s*:\\s*\"[^\"]*\"").Replace(demo, "\"name\": \"" + c2 + "\"", 1);
        if (named == demo) { Console.Error.WriteLine("demo.json has no family name"); return 2; }
        Family cprNamed = Family.FromJson(named);
        int someType = cprNamed.Layouts[0].RecordType;
        File.WriteAllText(Path.Combine(scratch, c3), "{\"family\": " + c0 + "}");
        string good = File.ReadAllLines(args[0])[0].Split('|')[0];
        var bad = new Action[]
        {
            () => new EindkomstReader(File.OpenRead(good), null, new FilterOptions { Cprs = new[] { c0, c1.Substring(0, 5) + "O" + c1.Substring(6) } }).Dispose(),
            () => new EindkomstReader(File.OpenRead(good), null, new FilterOptions { Cprs = new[] { c0 + "5" } }).Dispose(),
            () => new EindkomstReader(File.OpenRead(good), null, new FilterOptions { Cprs = new[] { c0.Substring(0, 6) + " " + c0.Substring(6) } }).Dispose(),
            () => Profile.Custom(new Dictionary<int, IEnumerable<int>> { { 6000, new[] { 99 } } }, null, c0),
            () => new Options { AmountScale = int.MaxValue },
            () => new EindkomstReader(File.OpenRead(good), null, new FilterOptions { PseudonymKey = System.Text.Encoding.ASCII.GetBytes(c1) }).Dispose(),
            () => cprNamed.CheckField(someType, 63, c0),
            () => Family.Load(Path.Combine(scratch, dash3 + ".json")),
            () => Family.Load(Path.Combine(scratch, c3)),
        };
        foreach (var a in bad)
        {
            try
            {
                a();
                Console.WriteLine("accepted (unexpected)");
            }
            catch (Exception e)
            {
                Thrown("option refused", e);
            }
        }
        return 0;
    }
}
