using System.Reflection;
using System.Runtime.CompilerServices;

[assembly: AssemblyTitle("Eindkomst.Transport")]
[assembly: AssemblyDescription("SF0770_E transports for .NET case systems: SOAP with STS/WS-Security, Beskedfordeler message handling, the daily file")]
[assembly: AssemblyVersion("0.2.0.0")]
// The test program checks internals (signature helpers, the XML parser) directly.
[assembly: InternalsVisibleTo("TransportTests")]
