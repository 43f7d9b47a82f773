// A Mono program that knows eindkomst only as the NuGet package Eindkomst
// (95-packages.sh installs it from a local feed and compiles this with mcs).
using System;
using System.IO;
using Eindkomst;

class Program
{
    static void Main(string[] args)
    {
        long ore = 0;
        using (var reader = new EindkomstReader(File.OpenRead(args[0])))
        {
            foreach (Record r in reader)
                if (r.RecordType == 6001) ore += r.AmountOre ?? 0;
            Console.WriteLine($"eindkomst {EindkomstReader.Version}: {reader.Counts.Decoded} records, 6001 total {ore} øre");
        }
    }
}
