#!/usr/bin/env bash
# Builds the C# binding with Mono's mcs (no dotnet SDK needed) into
# target/dotnet/: Eindkomst.dll (+ XML docs), libeindkomst.so next to it (where
# Mono's DllImport looks first), TestRunner.exe, and Example.exe compiled from
# the README's usage example.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-target/dotnet}"
mkdir -p "$out"

lib=target/release/libeindkomst.so
[ -f "$lib" ] || { echo "build.sh: $lib missing: cargo build --release -p eindkomst-ffi" >&2; exit 1; }
cp "$lib" "$out/libeindkomst.so"

mcs -nologo -unsafe -optimize+ -warnaserror+ -target:library -doc:"$out/Eindkomst.xml" \
  -out:"$out/Eindkomst.dll" bindings/dotnet/src/*.cs
mcs -nologo -optimize+ -warnaserror+ -r:"$out/Eindkomst.dll" -r:System.Core.dll \
  -out:"$out/TestRunner.exe" bindings/dotnet/tests/TestRunner.cs
awk '/^```csharp$/{on=1;next} /^```$/{on=0} on' bindings/dotnet/README.md >"$out/Example.cs"
[ -s "$out/Example.cs" ] || { echo "build.sh: no csharp block in bindings/dotnet/README.md" >&2; exit 1; }
mcs -nologo -optimize+ -warnaserror+ -r:"$out/Eindkomst.dll" -out:"$out/Example.exe" "$out/Example.cs"
