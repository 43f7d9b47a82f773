#!/usr/bin/env bash
# The project's version lives in one place: [workspace.package] version in
# Cargo.toml. Every other place that must spell it (npm, Maven, NuGet, the C
# header, tests and docs that quote it) is listed below.
#
#   scripts/versions.sh           print the version
#   scripts/versions.sh --check   fail, naming each file, when a place differs (95-packages.sh runs it)
#   scripts/versions.sh --write   write the version into every place (after changing Cargo.toml;
#                                 then regenerate include/eindkomst.h with cbindgen and run cargo update -w)
#
# The pkg-config file, the .nuspec and the consumer projects of 95-packages.sh
# are templates: they take the version from here when they are made.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(perl -0ne 'print $1 if /^\[workspace\.package\]\n(?:[^\[]*?\n)?version = "([^"]+)"/m' Cargo.toml)
[[ "$version" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] || { echo "versions.sh: no x.y.z version in Cargo.toml [workspace.package]" >&2; exit 1; }
major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]} patch=${BASH_REMATCH[3]}

# file | Perl regex before the version | after it | which part (full, major, minor, patch).
# Each place must match at least once; every match must hold the version.
places=(
  'Cargo.toml|eindkomst-core = \{ path = "core", version = "=|"|full'
  'wasm/package.json|\A\{\s*"name": "eindkomst",\s*"version": "|"|full'
  'wasm/package-lock.json|"name": "eindkomst",\s*"version": "|"|full'
  'bindings/node-transport/package.json|\A\{\s*"name": "eindkomst-transport",\s*"version": "|"|full'
  'bindings/node-transport/package-lock.json|"name": "eindkomst(?:-transport)?",\s*"version": "|"|full'
  'bindings/java/pom.xml|<artifactId>eindkomst-parent</artifactId>\s*<version>|</version>|full'
  'bindings/java/engine/pom.xml|<artifactId>eindkomst-parent</artifactId>\s*<version>|</version>|full'
  'bindings/java/transport/pom.xml|<artifactId>eindkomst-parent</artifactId>\s*<version>|</version>|full'
  'bindings/transport-double/pom.xml|<artifactId>eindkomst-parent</artifactId>\s*<version>|</version>|full'
  'bindings/java/README.md|<artifactId>eindkomst</artifactId>\s*<version>|</version>|full'
  'bindings/java/engine/src/main/java/dk/eindkomst/EindkomstDecoder.java|The native library.s version \("|"\)|full'
  'bindings/java/engine/src/test/java/dk/eindkomst/SampleTest.java|assertEquals\("|", EindkomstDecoder\.version\(\)\)|full'
  'scripts/test.d/71-java.sh|engine/target/eindkomst-|\.jar|full'
  'bindings/dotnet/Eindkomst.csproj|<Version>|</Version>|full'
  'bindings/dotnet/transport/src/AssemblyInfo.cs|AssemblyVersion\("|\.0"\)|full'
  'bindings/dotnet/src/EindkomstReader.cs|The native library.s version \("|"\)|full'
  'bindings/dotnet/tests/TestRunner.cs|Eq\("|", EindkomstReader\.Version|full'
  'ffi/src/lib.rs|The library version as a static NUL-terminated string \("|"\)|full'
  'ffi/cbindgen.toml|#define EIK_VERSION "|"|full'
  'ffi/cbindgen.toml|#define EIK_VERSION_MAJOR |\n|major'
  'ffi/cbindgen.toml|#define EIK_VERSION_MINOR |\n|minor'
  'ffi/cbindgen.toml|#define EIK_VERSION_PATCH |\n|patch'
  'include/eindkomst.h|#define EIK_VERSION "|"|full'
  'include/eindkomst.h|The library version as a static NUL-terminated string \("|"\)|full'
  'include/eindkomst.h|#define EIK_VERSION_MAJOR |\n|major'
  'include/eindkomst.h|#define EIK_VERSION_MINOR |\n|minor'
  'include/eindkomst.h|#define EIK_VERSION_PATCH |\n|patch'
)

want_of() {
  case $1 in full) echo "$version" ;; major) echo "$major" ;; minor) echo "$minor" ;; patch) echo "$patch" ;; esac
}
token_of() {
  case $1 in full) echo '[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.]+)?' ;; *) echo '[0-9]+' ;; esac
}

mode=${1:-}
case $mode in
  "") echo "$version"; exit 0 ;;
  --check | --write) ;;
  *) echo "usage: scripts/versions.sh [--check|--write]" >&2; exit 2 ;;
esac

bad=0 checked=0
for place in "${places[@]}"; do
  IFS='|' read -r file before after part <<<"$place"
  want=$(want_of "$part") token=$(token_of "$part")
  [ -f "$file" ] || { echo "versions.sh: $file is gone; update the list in scripts/versions.sh" >&2; bad=$((bad + 1)); continue; }
  if [ "$mode" = --write ]; then
    B="$before" A="$after" T="$token" W="$want" perl -0pi -e 's/($ENV{B})$ENV{T}(?=$ENV{A})/$1$ENV{W}/g' "$file"
  fi
  found=$(B="$before" A="$after" T="$token" perl -0ne 'while (/(?:$ENV{B})($ENV{T})(?=$ENV{A})/g) { print "$1\n" }' "$file")
  if [ -z "$found" ]; then
    echo "versions.sh: $file: no version where expected (/$before.../); update the list in scripts/versions.sh" >&2
    bad=$((bad + 1))
    continue
  fi
  while read -r got; do
    checked=$((checked + 1))
    [ "$got" = "$want" ] || { echo "versions.sh: $file: $got, but Cargo.toml says $want" >&2; bad=$((bad + 1)); }
  done <<<"$found"
done
echo "versions: $version in Cargo.toml; $checked places checked, $bad differ"
[ "$bad" -eq 0 ]
