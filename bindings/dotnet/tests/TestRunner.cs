// The C# binding's tests: a plain program (no NuGet needed) that prints
// "N passed, N failed" and exits 1 when a test fails. Runs on Mono and .NET.
//
//   mono TestRunner.exe <repository root>
//
// EINDKOMST_BIG_FILE=<file> adds the ~100 MB comparison with the CLI and the
// throughput figures (scripts/test.d/70-dotnet.sh sets it).
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using Eindkomst;

static class TestRunner
{
    static string root;
    static int passed, failed;

    static int Main(string[] args)
    {
        root = Path.GetFullPath(args.Length > 0 ? args[0] : "../..");
        if (!File.Exists(Path.Combine(root, "testdata/sample.txt")))
        {
            Console.Error.WriteLine("repository root not found: " + root);
            return 2;
        }
        Run("version matches the engine", VersionMatches);
        Run("struct sizes match the header", StructSizes);
        Run("counts of the sample", CountsOfSample);
        Run("values of several record types", ValuesOfSeveralRecordTypes);
        Run("layouts come from the engine", Layouts);
        Run("small reads and Base64 give the same records", SmallReadsAndBase64);
        Run("amount scale is an option", AmountScale);
        Run("strict mode throws after the records before the bad line", StrictMode);
        Run("lenient mode collects the finding and goes on", LenientMode);
        Run("stream errors have no field", StreamErrors);
        Run("a disposed reader is never used", DisposedReader);
        Run("read errors surface", ReadErrors);
        Run("undisposed readers are freed by their SafeHandle", Finalized);
        Run("sample equals the CLI", SampleEqualsCli);
        Run("generated file with damage equals the CLI", GeneratedEqualsCli);
        string big = Environment.GetEnvironmentVariable("EINDKOMST_BIG_FILE");
        if (!string.IsNullOrEmpty(big)) Run("100 MB file equals the CLI, throughput", () => BigFile(big));
        Console.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    static void Run(string name, Action test)
    {
        try
        {
            test();
            passed++;
            Console.WriteLine("ok - " + name);
        }
        catch (Exception e)
        {
            failed++;
            Console.WriteLine("FAIL - " + name + ": " + e);
        }
    }

    // ---- assertions -------------------------------------------------------

    class AssertionException : Exception
    {
        public AssertionException(string m) : base(m) { }
    }

    static void Eq<T>(T expected, T actual, string what = "")
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
            throw new AssertionException($"{what}: expected <{expected}>, got <{actual}>");
    }

    static void True(bool cond, string what)
    {
        if (!cond) throw new AssertionException(what);
    }

    static TEx Throws<TEx>(Action a) where TEx : Exception
    {
        try
        {
            a();
        }
        catch (TEx e)
        {
            return e;
        }
        throw new AssertionException("expected " + typeof(TEx).Name);
    }

    // ---- helpers ----------------------------------------------------------

    static string Sample => Path.Combine(root, "testdata/sample.txt");
    static string Cli => Path.Combine(root, "target/release/eindkomst");

    static List<Record> DecodeAll(Stream s, Options o = null)
    {
        using (var r = new EindkomstReader(s, o)) return r.ToList();
    }

    /// <summary>The sample with an 'X' in line 10's Beloeb (6001 field 4), at byte 731.</summary>
    static byte[] Damaged()
    {
        byte[] d = File.ReadAllBytes(Sample);
        Eq((byte)'\n', d[710], "line 10 starts at 711");
        Eq("0000010", Encoding.ASCII.GetString(d, 711, 7), "line 10's Lb_nr");
        d[711 + 15 + 5] = (byte)'X';
        return d;
    }

    /// <summary>Reads one to seven bytes at a time.</summary>
    sealed class Trickle : MemoryStream
    {
        public Trickle(byte[] b) : base(b) { }

        public override int Read(byte[] buffer, int offset, int count) =>
            base.Read(buffer, offset, Math.Min(count, 1 + (int)(Position % 7)));
    }

    sealed class Broken : MemoryStream
    {
        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("disk gone");
    }

    /// <summary>{"line":N,"record":"6001","fields":{"1":"...",...}}, exactly as <c>eindkomst decode --raw</c>.</summary>
    static string RawJson(Record r, StringBuilder s)
    {
        s.Clear().Append("{\"line\":").Append(r.Line.ToString(CultureInfo.InvariantCulture))
            .Append(",\"record\":\"").Append(r.RecordType.ToString("D4", CultureInfo.InvariantCulture))
            .Append("\",\"fields\":{");
        bool first = true;
        foreach (Field f in r.Layout.Fields)
        {
            if (!first) s.Append(',');
            first = false;
            s.Append('"').Append(f.No.ToString(CultureInfo.InvariantCulture)).Append("\":\"");
            foreach (char c in r.Value(f.No))
            {
                if (c == '"' || c == '\\') s.Append('\\').Append(c);
                else if (c < 0x20) s.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                else s.Append(c);
            }
            s.Append('"');
        }
        return s.Append("}}").ToString();
    }

    static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo(Cli, string.Join(" ", args.Select(a => "\"" + a + "\"")))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
        };
        return Process.Start(psi);
    }

    /// <summary>Decodes <paramref name="file"/> with the binding and with the CLI; compares records and findings.</summary>
    static long CompareWithCli(string file)
    {
        Process cli = Start("decode", "--raw", file);
        var cliFindings = new List<string>();
        cli.ErrorDataReceived += (o, e) => { if (e.Data != null) lock (cliFindings) cliFindings.Add(e.Data); };
        cli.BeginErrorReadLine();
        long n = 0;
        var sb = new StringBuilder(512);
        IReadOnlyList<Finding> findings;
        using (var reader = new EindkomstReader(File.OpenRead(file)))
        {
            foreach (Record r in reader)
            {
                string want = cli.StandardOutput.ReadLine();
                string got = RawJson(r, sb);
                if (got != want)
                    throw new AssertionException($"record {n + 1} of {Path.GetFileName(file)} differs from the CLI:\n"
                        + $"  cli:     {want}\n  binding: {got}");
                n++;
            }
            Eq(null, cli.StandardOutput.ReadLine(), "the CLI has more records than the binding");
            findings = reader.Findings;
            Eq(n, reader.Counts.Decoded, "decoded count");
        }
        cli.WaitForExit();
        Eq(cliFindings.Count, findings.Count, "number of findings");
        for (int i = 0; i < findings.Count; i++) Eq(cliFindings[i], findings[i].Label + ": " + findings[i], "finding");
        return n;
    }

    // ---- tests ------------------------------------------------------------

    static void VersionMatches() => Eq("0.1.0", EindkomstReader.Version, "version");

    static void StructSizes()
    {
        var asm = typeof(EindkomstReader).Assembly;
        var sizes = new Dictionary<string, int>
        {
            { "EikOptions", 8 }, { "EikRecord", 56 }, { "EikError", 80 }, { "EikTypeCount", 24 },
            { "EikCounts", 832 }, { "EikLayout", 32 }, { "EikField", 32 },
        };
        foreach (var kv in sizes)
            Eq(kv.Value, Marshal.SizeOf(asm.GetType("Eindkomst." + kv.Key, true)), "sizeof " + kv.Key);
    }

    static void CountsOfSample()
    {
        using (var reader = new EindkomstReader(File.OpenRead(Sample)))
        {
            Eq(27, reader.Count(), "records");
            Counts c = reader.Counts;
            Eq(27L, c.Lines, "lines");
            Eq(27L, c.Decoded, "decoded");
            Eq(0L, c.Rejected, "rejected");
            Eq(0L, c.Warnings, "warnings");
            Eq(0L, c.Errors, "errors");
            Eq(new FileInfo(Sample).Length, c.Bytes, "bytes");
            Eq(7L, c.ByType[6001].Decoded, "6001 decoded");
            Eq(3L, c.ByType[6000].Decoded, "6000 decoded");
            Eq(18, c.ByType.Count, "record types seen");
            Eq(0, reader.Findings.Count, "findings");
        }
    }

    static void ValuesOfSeveralRecordTypes()
    {
        List<Record> rs = DecodeAll(File.OpenRead(Sample));
        Eq(27, rs.Count, "records");

        Record start = rs[0];
        Eq(1000, start.RecordType, "1000 type");
        Eq(1L, start.Line, "1000 line");
        Eq(new DateTime(2025, 2, 3), start.Date(3).Value, "1000 date");
        Eq(new TimeSpan(6, 15, 0), start.Time(4).Value, "1000 time");
        Eq("Kommunal Løn", start.Value(10), "1000 system name (ISO-8859-1)");
        Eq(12345678, start.SeNr.Value, "1000 SE-nr");

        Record employer = rs[1];
        Eq(2001, employer.RecordType, "2001 type");
        Eq(143L, employer.Offset, "2001 offset");
        Eq(12345678, employer.SeNr.Value, "2001 SE-nr");
        Eq("DKK", employer.Value("Valutakode"), "2001 currency");

        Record amount = rs[9];
        Eq(6001, amount.RecordType, "6001 type");
        Eq(10L, amount.Line, "6001 line");
        Eq(10, amount.LbNr, "6001 Lb_nr");
        Eq(711L, amount.Offset, "6001 offset");
        Eq(13, amount.Feltnummer.Value, "6001 Feltnummer");
        Eq(32500.000000m, amount.Amount.Value, "6001 amount");
        Eq(3250000L, amount.AmountOre.Value, "6001 amount in øre");
        Eq("0000032500000000", amount.Value(4), "6001 Beloeb raw");

        Eq(13L, rs[12].Line, "negative 6001 line");
        Eq(-125050L, rs[12].AmountOre.Value, "negative 6001 in øre");

        Record person = rs[8];
        Eq(6000, person.RecordType, "6000 type");
        Eq("6101901234", person.Cpr, "6000 CPR (synthetic: day + 60)");
        Eq("Record 6000 line 9 (Lb_nr 9)", person.ToString(), "ToString holds no CPR");

        Record foreign = rs[21];
        Eq(8001, foreign.RecordType, "8001 type");
        Eq("Müller, Anna", foreign.Value(6), "8001 name");
        Eq("Hauptstraße 5", foreign.Value(7), "8001 address");

        Record end = rs[26];
        Eq(9999, end.RecordType, "9999 type");
        Eq(27L, end.Number(3).Value, "9999 count");
        Eq(null, end.AmountOre, "9999 has no amount");
        Throws<ArgumentException>(() => end.Value(99));
    }

    static void Layouts()
    {
        Layout l = Layout.Of(6001);
        Field beloeb = l.Field(4);
        Eq("Beloeb", beloeb.Name, "name");
        Eq(15, beloeb.Start, "start");
        Eq(16, beloeb.Length, "length");
        Eq(FieldFormat.Amount, beloeb.Format, "format");
        Eq(FieldFormat.Sign, l.Field(5).Format, "sign");
        True(Layout.Of(6000).Fields.Any(f => f.Personal), "6000 has a personal field");
        Eq(null, Layout.Of(1234), "no layout 1234");
    }

    static void SmallReadsAndBase64()
    {
        byte[] s = File.ReadAllBytes(Sample);
        var sb = new StringBuilder();
        var whole = DecodeAll(new MemoryStream(s)).Select(r => RawJson(r, sb)).ToList();
        var trickled = DecodeAll(new Trickle(s)).Select(r => RawJson(r, sb)).ToList();
        byte[] b64 = Encoding.ASCII.GetBytes(Convert.ToBase64String(s, Base64FormattingOptions.InsertLineBreaks));
        var base64 = DecodeAll(new MemoryStream(b64), new Options { Base64 = true }).Select(r => RawJson(r, sb)).ToList();
        Eq(27, whole.Count, "records");
        True(whole.SequenceEqual(trickled), "trickled records differ");
        True(whole.SequenceEqual(base64), "Base64 records differ");
    }

    static void AmountScale()
    {
        var rs = DecodeAll(File.OpenRead(Sample), new Options { AmountScale = 2 });
        Eq(325000000.00m, rs[9].Amount.Value, "scale 2");
        Throws<ArgumentOutOfRangeException>(() => new Options { AmountScale = 17 });
    }

    static void AssertBeloebFinding(Finding f)
    {
        Eq(FindingType.Rejected, f.Type, "type");
        Eq(ErrorKind.NotDigit, f.Kind, "kind");
        Eq("not_digit", f.Code, "code");
        Eq(10L, f.Line, "line");
        Eq(10, f.LbNr.Value, "Lb_nr");
        Eq(6001, f.Record.Value, "record");
        Eq(4, f.FieldNo.Value, "field");
        Eq("Beloeb", f.FieldName, "field name");
        Eq(731L, f.Offset, "offset");
        Eq("line 10 (Lb_nr 10), record 6001, field 4 Beloeb, offset 731: non-digit in numeric field", f.ToString(),
            "text");
    }

    static void StrictMode()
    {
        var got = new List<Record>();
        using (var reader = new EindkomstReader(new MemoryStream(Damaged()), new Options { Strict = true }))
        {
            var it = reader.GetEnumerator();
            var e = Throws<EindkomstException>(() => { while (it.MoveNext()) got.Add(it.Current); });
            Eq(9, got.Count, "records before the bad line");
            Eq(9L, got[8].Line, "last good line");
            Eq(10L, e.Line, "line");
            Eq(10, e.LbNr.Value, "Lb_nr");
            Eq(6001, e.Record.Value, "record");
            Eq(4, e.FieldNo.Value, "field");
            Eq("Beloeb", e.FieldName, "field name");
            Eq(731L, e.Offset, "offset");
            Eq(ErrorKind.NotDigit, e.Kind, "kind");
            Eq("rejected: line 10 (Lb_nr 10), record 6001, field 4 Beloeb, offset 731: non-digit in numeric field",
                e.Message, "message");
            AssertBeloebFinding(e.Finding);
            Throws<EindkomstException>(() => it.MoveNext()); // stays stopped
            Eq(10L, reader.Counts.Lines, "lines");
            Eq(1L, reader.Counts.Rejected, "rejected");
        }
    }

    static void LenientMode()
    {
        using (var reader = new EindkomstReader(new MemoryStream(Damaged())))
        {
            var got = reader.ToList();
            Eq(26, got.Count, "records");
            Eq(9L, got[8].Line, "before");
            Eq(11L, got[9].Line, "after");
            Eq(1, reader.Findings.Count, "findings");
            AssertBeloebFinding(reader.Findings[0]);
            Counts c = reader.Counts;
            Eq(27L, c.Lines, "lines");
            Eq(26L, c.Decoded, "decoded");
            Eq(1L, c.Rejected, "rejected");
            Eq(6L, c.ByType[6001].Decoded, "6001 decoded");
            Eq(1L, c.ByType[6001].Rejected, "6001 rejected");
        }
    }

    static void StreamErrors()
    {
        byte[] s = File.ReadAllBytes(Sample);
        int firstLine = Array.IndexOf(s, (byte)'\n') + 1;
        using (var reader = new EindkomstReader(new MemoryStream(s, 0, firstLine)))
        {
            Eq(1, reader.Count(), "records");
            Eq(1, reader.Findings.Count, "findings");
            Finding f = reader.Findings[0];
            Eq(FindingType.Error, f.Type, "type");
            Eq(ErrorKind.MissingEndRecord, f.Kind, "kind");
            Eq(null, f.FieldNo, "no field");
            Eq("", f.FieldName, "no field name");
        }
        var e = Throws<EindkomstException>(() => DecodeAll(new MemoryStream(), new Options { Strict = true }));
        Eq(ErrorKind.EmptyInput, e.Kind, "empty input");
    }

    static void DisposedReader()
    {
        var reader = new EindkomstReader(File.OpenRead(Sample));
        var it = reader.GetEnumerator();
        True(it.MoveNext(), "first record");
        reader.Dispose();
        reader.Dispose(); // twice is fine
        Eq(27L, reader.Counts.Lines, "counts kept from disposal");
        Throws<ObjectDisposedException>(() => { while (it.MoveNext()) { } });
        Throws<ObjectDisposedException>(() => reader.GetEnumerator());
        using (var once = new EindkomstReader(File.OpenRead(Sample)))
        {
            once.GetEnumerator();
            Throws<InvalidOperationException>(() => once.GetEnumerator());
        }
    }

    static void ReadErrors()
    {
        using (var reader = new EindkomstReader(new Broken()))
            Eq("disk gone", Throws<IOException>(() => reader.ToList()).Message, "message");
    }

    static void Finalized()
    {
        byte[] s = File.ReadAllBytes(Sample);
        for (int i = 0; i < 200; i++)
            new EindkomstReader(new MemoryStream(s)).GetEnumerator().MoveNext(); // never disposed
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Eq(27, DecodeAll(new MemoryStream(s)).Count, "still decodes");
    }

    static void SampleEqualsCli() => Eq(27L, CompareWithCli(Sample), "records");

    static void GeneratedEqualsCli()
    {
        string file = Path.Combine(root, "target/dotnet/generated-damaged.txt");
        Process gen = Start("generate", "--records", "30000", "--seed", "11", "--errors", "0.02", "-o", file);
        gen.WaitForExit();
        Eq(0, gen.ExitCode, "generate");
        long n = CompareWithCli(file);
        True(n > 29000 && n < 30000, "records: " + n);
    }

    static void BigFile(string file)
    {
        long records = CompareWithCli(file);
        Console.WriteLine($"dotnet: {Path.GetFileName(file)}: {records} records equal to the CLI's --raw output");
        double mb = new FileInfo(file).Length / 1e6;
        double binding = double.MaxValue, native = double.MaxValue;
        // Binding and CLI passes alternate, so both see the same load on a shared machine.
        for (int pass = 0; pass < 3; pass++)
        {
            var sw = Stopwatch.StartNew();
            long n = 0, check = 0;
            using (var reader = new EindkomstReader(File.OpenRead(file)))
                foreach (Record r in reader)
                {
                    n++;
                    check += r.RecordType;
                }
            binding = Math.Min(binding, sw.Elapsed.TotalSeconds);
            Eq(records, n, "records");
            True(check > 0, "touched");

            sw = Stopwatch.StartNew();
            Process p = Start("validate", file);
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            native = Math.Min(native, sw.Elapsed.TotalSeconds);
            Eq(0, p.ExitCode, "validate");
        }
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "dotnet throughput: binding {0:F0} MB/s ({1:F2} M records/s), CLI validate {2:F0} MB/s; ratio {3:F2}x native ({4:F1} MB, best of 3, {5})",
            mb / binding, records / binding / 1e6, mb / native, native / binding, mb,
            Type.GetType("Mono.Runtime") != null ? "Mono" : ".NET"));
    }
}
