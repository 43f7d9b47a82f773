// eindkomst from C# (Mono) through its binding (bindings/dotnet, built by its
// build.sh into target/dotnet): the engine decodes and validates, C# iterates
// the Records and sums AmountOre per field number, then prints the totals.
//
//   mono MonoPeer.exe FILE
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Eindkomst;

static class MonoPeer
{
    static int Main(string[] args)
    {
        var records = new SortedDictionary<int, long>();
        var sums = new Dictionary<int, long>(); // type * 10000 + Feltnummer -> øre
        long rejected;
        using (var reader = new EindkomstReader(File.OpenRead(args[0])))
        {
            foreach (Record r in reader)
            {
                int type = r.RecordType;
                records.TryGetValue(type, out long n);
                records[type] = n + 1;
                long? ore = r.AmountOre;
                if (ore.HasValue)
                {
                    int key = type * 10000 + (type == 3101 || type == 6001 ? r.Feltnummer ?? 0 : 0);
                    sums.TryGetValue(key, out long s);
                    sums[key] = s + ore.Value;
                }
            }
            rejected = reader.Counts.Rejected;
        }
        var output = new StringBuilder();
        foreach (var kv in records) output.Append("records ").Append(kv.Key).Append(' ').Append(kv.Value).Append('\n');
        var amounts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var kv in sums)
        {
            int type = kv.Key / 10000;
            string key = type == 3101 || type == 6001 ? type + "/" + (kv.Key % 10000).ToString("D4") : type.ToString();
            amounts[key] = kv.Value;
        }
        foreach (var kv in amounts) output.Append("amount ").Append(kv.Key).Append(' ').Append(kv.Value).Append('\n');
        Console.Out.Write(output.ToString());
        Console.Error.WriteLine($"mono: {rejected} rejected");
        return rejected > 0 ? 1 : 0;
    }
}
