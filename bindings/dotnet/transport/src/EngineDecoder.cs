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

        // The engine's verdict on one identifier: a CPR is checked as the employer family's 6000 CPR field, an
        // SE-nr as the 2001 SE field, by the rules the decoder applies to those fields in a line
        // (Family.CheckField). Warnings do not count.

        /// <summary>Null when the engine accepts <paramref name="cpr"/> as a CPR number, else its finding code.</summary>
        internal static string CprProblem(string cpr)
        {
            return Verdict(6000, FieldRole.Cpr, cpr);
        }

        /// <summary>Null when the engine accepts <paramref name="seNr"/> as an SE-nr, else its finding code.</summary>
        internal static string SeNrProblem(string seNr)
        {
            return Verdict(2001, FieldRole.Se, seNr);
        }

        private static string Verdict(int recordType, FieldRole role, string value)
        {
            if (value == null) return "missing";
            FieldCheck c = Family.Employer.CheckField(recordType, role, value);
            return c == null || c.Warning ? null : FindingKinds.Code(c.Kind);
        }
    }
}
