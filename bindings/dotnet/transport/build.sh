#!/usr/bin/env bash
# Builds the C# transports with Mono's mcs (no dotnet SDK, no NuGet) into OUT (default target/dotnet-transport):
#   Eindkomst.dll + libeindkomst.so   the engine binding (bindings/dotnet/src) and the native library next to it
#   Eindkomst.Transport.dll           bindings/dotnet/transport/src, with the identifier probe and KOMBIT's
#                                     Beskedfordeler schemas embedded
#   TransportTests.exe                the test program (bindings/dotnet/transport/tests)
#   ReadmeExamples.dll                the blocks of bindings/dotnet/README.md fenced ```csharp transport (compiled,
#                                     and run by the tests); blocks fenced ```cs are recipes that are not compiled
# The native library: $EINDKOMST_LIBRARY_FILE if set, else target/release/libeindkomst.so.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out="${1:-target/dotnet-transport}"
mkdir -p "$out"

lib="${EINDKOMST_LIBRARY_FILE:-target/release/libeindkomst.so}"
[ -f "$lib" ] || { echo "transport/build.sh: $lib missing: cargo build --release -p eindkomst-ffi (or set EINDKOMST_LIBRARY_FILE)" >&2; exit 1; }
cp "$lib" "$out/libeindkomst.so"

# The engine binding, unchanged (its own build.sh also builds its tests; only the library is needed here).
mcs -nologo -unsafe -optimize+ -warnaserror+ -target:library -out:"$out/Eindkomst.dll" bindings/dotnet/src/*.cs

# Resources: the SF1461 schemas (the transport double's copy of ../shared/spec/xsd, which its build.sh keeps
# equal to the spec).
res=()
xsd=bindings/transport-double/xsd/beskedfordeler
while IFS= read -r f; do res+=("-resource:$xsd/$f,xsd/beskedfordeler/$f"); done < <(cd "$xsd" && find . -name '*.xsd' | sed 's|^\./||' | sort)

refs=(-r:System.dll -r:System.Core.dll -r:System.Xml.dll -r:System.Security.dll -r:System.Net.Http.dll)
mcs -nologo -optimize+ -warnaserror+ -target:library -doc:"$out/Eindkomst.Transport.xml" -r:"$out/Eindkomst.dll" "${refs[@]}" "${res[@]}" \
  -out:"$out/Eindkomst.Transport.dll" $(find bindings/dotnet/transport/src -name '*.cs' | sort)

# The README's compiled examples: each ```csharp transport block is a file of its own (the engine binding's
# build.sh takes the plain ```csharp block).
readme="${EIK_TRANSPORT_README:-bindings/dotnet/README.md}"
rm -rf "$out/readme" && mkdir -p "$out/readme"
awk -v dir="$out/readme" '/^```csharp transport$/{n++; on=1; next} /^```$/{on=0} on{print > (dir "/example" n ".cs")}' "$readme"
ls "$out"/readme/example*.cs >/dev/null 2>&1 || { echo "transport/build.sh: no \`\`\`csharp transport block in $readme" >&2; exit 1; }
rabbit=/usr/lib/mono/gac/RabbitMQ.Client/4.0.0.0__b03f5f7f11d50a3a/RabbitMQ.Client.dll
mcs -nologo -optimize+ -warnaserror+ -target:library -r:"$out/Eindkomst.dll" -r:"$out/Eindkomst.Transport.dll" "${refs[@]}" \
  -out:"$out/ReadmeExamples.dll" "$out"/readme/example*.cs

mcs -nologo -optimize+ -warnaserror+ -r:"$out/Eindkomst.dll" -r:"$out/Eindkomst.Transport.dll" -r:"$out/ReadmeExamples.dll" "${refs[@]}" \
  -r:System.Json.dll -r:"$rabbit" -out:"$out/TransportTests.exe" $(find bindings/dotnet/transport/tests -name '*.cs' | sort)
cp "$rabbit" "$out/"
