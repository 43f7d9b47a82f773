using System;
using System.IO;
using System.Text;
using Eindkomst;

/// <summary>
/// The C# side of benches/hosts/run.sh: the same two workloads as the native
/// eindkomst/examples/hostbench.rs, through the binding's event cursor and its
/// value-type record view (no object per record).
///   A FILE: sum the 6001 amounts (øre) per feltnummer: "felt\tøre" lines.
///   B FILE: every field of every record as a string: "fields N chars M".
/// </summary>
public static class HostBench
{
    public static int Main(string[] args)
    {
        using (var reader = new EindkomstReader(File.OpenRead(args[1])))
        {
            if (args[0] == "A")
            {
                var sums = new long[10000];
                var seen = new bool[10000];
                while (reader.Next())
                {
                    if (reader.Current != EventType.Record) continue;
                    RecordView r = reader.Record;
                    if (r.RecordType != 6001) continue;
                    int felt = r.FeltnummerOrMinus1;
                    sums[felt] += r.AmountOreOr(0);
                    seen[felt] = true;
                }
                var out_ = new StringBuilder();
                for (int f = 0; f < sums.Length; f++)
                    if (seen[f]) out_.Append(f).Append('\t').Append(sums[f]).Append('\n');
                Console.Write(out_.ToString());
            }
            else
            {
                long fields = 0, chars = 0;
                while (reader.Next())
                {
                    if (reader.Current != EventType.Record) continue;
                    RecordView r = reader.Record;
                    var fs = r.Layout.Fields;
                    for (int i = 0, n = fs.Count; i < n; i++)
                    {
                        string s = r.Value(fs[i].No);
                        fields++;
                        chars += s.Length;
                    }
                }
                Console.WriteLine("fields " + fields + " chars " + chars);
            }
        }
        return 0;
    }
}
