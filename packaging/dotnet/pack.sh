#!/usr/bin/env bash
# Makes the NuGet package Eindkomst.VERSION.nupkg in OUT_DIR with Debian's
# nuget (Mono): bindings/dotnet/build.sh compiles the assembly, the
# .nuspec template takes the version from scripts/versions.sh.
# Usage: packaging/dotnet/pack.sh OUT_DIR   (needs target/release/libeindkomst.so)
set -euo pipefail
out=${1:?usage: packaging/dotnet/pack.sh OUT_DIR}
cd "$(dirname "$0")/../.."
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

bash bindings/dotnet/build.sh "$stage" >/dev/null
strip --strip-debug "$stage/libeindkomst.so" # the release profile keeps debug information for profiling
cp bindings/dotnet/build/Eindkomst.targets "$stage/"
cp LICENSE-MIT "$stage/LICENSE-MIT.txt"
cp LICENSE-APACHE "$stage/LICENSE-APACHE.txt"
sed "s|@VERSION@|$(bash scripts/versions.sh)|" packaging/dotnet/Eindkomst.nuspec.in >"$stage/Eindkomst.nuspec"
(cd "$stage" && nuget pack Eindkomst.nuspec -OutputDirectory "$out" -NonInteractive -Verbosity quiet)
