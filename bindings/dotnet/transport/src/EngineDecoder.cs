using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Eindkomst.Transport
{
    /// <summary>
    /// The one place where the transports use the engine binding (<see cref="EindkomstReader"/>): decode a stream
    /// (plain or Base64) into records and findings, and judge single identifiers. When the binding changes, this
    /// file is what to adapt. Not thread-safe; one instance per stream.
    /// </summary>
    internal sealed class EngineDecoder : IDisposable
    {
        private readonly EindkomstReader reader;
        private IReadOnlyList<Finding> findings;

        /// <summary>A lenient decoder over <paramref name="input"/> (left open); <paramref name="base64"/>: the input is Base64 text.</summary>
        internal EngineDecoder(Stream input, bool base64)
        {
            reader = new EindkomstReader(input, new Options { Base64 = base64 }, true);
        }

        /// <summary>The records, in order; enumerate once.</summary>
        internal IEnumerable<Record> Records => reader;

        /// <summary>Every finding (read after the records).</summary>
        internal IReadOnlyList<Finding> Findings => findings ?? (findings = reader.Findings);

        /// <summary>The first rejected line or stream error, or null (read after the records).</summary>
        internal Finding FirstProblem
        {
            get
            {
                foreach (Finding f in Findings)
                    if (f.Type != FindingType.Warning) return f;
                return null;
            }
        }

        /// <summary>The warnings (read after the records).</summary>
        internal List<Finding> Warnings
        {
            get
            {
                var w = new List<Finding>();
                foreach (Finding f in Findings)
                    if (f.Type == FindingType.Warning) w.Add(f);
                return w;
            }
        }

        /// <summary>What the engine counted.</summary>
        internal Counts Counts => reader.Counts;

        /// <summary>Frees the native decoder.</summary>
        public void Dispose()
        {
            reader.Dispose();
        }

        /// <summary>"rejected: line 10 (Lb_nr 10), record 6001, field 4 Beloeb, offset 734: non-digit in numeric field" (no field contents).</summary>
        internal static string Describe(Finding f)
        {
            return f.Label + ": " + f;
        }

        // The engine's verdict on one identifier. The C ABI has no call for a single value, so it is written into
        // a synthetic, otherwise clean file (a CPR into the 6000's Person_CPR_nr, an SE-nr into the 2001's
        // Virksomhed_SE_nr) and the file is decoded; a finding on that field is the verdict. The probe is the Java
        // and Node adapters' identifier-probe.txt, embedded by build.sh.
        private static readonly byte[] Probe = LoadProbe();
        private static readonly int CprAt = LineStart(9) + 19;
        private static readonly int SeAt = LineStart(2) + 27;

        /// <summary>Null when the engine accepts <paramref name="cpr"/> as a CPR number, else its finding code.</summary>
        internal static string CprProblem(string cpr)
        {
            return Check(cpr, CprAt, 10, "Person_CPR_nr");
        }

        /// <summary>Null when the engine accepts <paramref name="seNr"/> as an SE-nr, else its finding code.</summary>
        internal static string SeNrProblem(string seNr)
        {
            return Check(seNr, SeAt, 8, "Virksomhed_SE_nr");
        }

        private static string Check(string value, int at, int len, string field)
        {
            if (value == null) return "missing";
            if (value.Length != len) return "wrong_length";
            var file = (byte[])Probe.Clone();
            foreach (char c in value)
                if (c > 0xFF) return "byte_outside_charset";
            Encoding.GetEncoding("ISO-8859-1").GetBytes(value, 0, len, file, at);
            return Verdict(file, field);
        }

        private static string Verdict(byte[] file, string field)
        {
            using (var d = new EngineDecoder(new MemoryStream(file, false), false))
            {
                foreach (Record r in d.Records) { }
                Finding bad = d.FirstProblem;
                if (bad == null) return null;
                return field == null || bad.FieldName == field ? bad.Code : "record_rejected:" + bad.Code;
            }
        }

        private static byte[] LoadProbe()
        {
            using (Stream s = typeof(EngineDecoder).Assembly.GetManifestResourceStream("identifier-probe.txt"))
            using (var m = new MemoryStream())
            {
                if (s == null) throw new InvalidOperationException("identifier-probe.txt is not embedded in the assembly");
                s.CopyTo(m);
                byte[] probe = m.ToArray();
                if (Verdict(probe, null) != null) throw new InvalidOperationException("identifier probe is not clean");
                return probe;
            }
        }

        private static int LineStart(int line)
        {
            int at = 0;
            for (int l = 1; l < line; l++) at = Array.IndexOf(Probe, (byte)'\n', at) + 1;
            return at;
        }
    }
}
