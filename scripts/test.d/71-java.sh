#!/usr/bin/env bash
# Java binding (bindings/java, Maven): JUnit 5 tests, the jar with the native
# library inside, the README example run from the jar, and the ~100 MB
# generated file compared with the CLI's --raw output, with throughput.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"

target="${CARGO_TARGET_DIR:-target}"
[ "$target" = target ] || { echo "71-java: the Maven build reads target/release; unset CARGO_TARGET_DIR" >&2; exit 1; }

# 1. The native library the jar packs, and the CLI the tests compare with.
cargo build -q --release -p eindkomst-ffi -p eindkomst-cli

# 2. The generated ~100 MB file (deterministic; shared with 70-dotnet.sh).
big="$target/bindings-100mb.txt"
if [ ! -s "$big" ]; then
  "$target/release/eindkomst" generate --records 2100000 --seed 7 -o "$big.tmp"
  mv "$big.tmp" "$big"
fi

# 3. Build, test and package this module (the aggregator's other modules have their own scripts).
log="$target/java-test.log"
mvn -q -B -Dstyle.color=never -f bindings/java/pom.xml -pl engine package -Deindkomst.bigFile="$PWD/$big" 2>&1 | tee "$log"
grep -q 'java: bindings-100mb.txt: 2100000 records equal to the CLI' "$log" \
  || { echo "71-java: the 100 MB comparison did not run" >&2; exit 1; }

# 4. The jar carries the native library where JNA looks for it.
jar=bindings/java/engine/target/eindkomst-0.2.0.jar
jar tf "$jar" >"$target/java-jar-contents.txt"
grep -qx "linux-x86-64/libeindkomst.so" "$target/java-jar-contents.txt" \
  || { echo "71-java: $jar has no linux-x86-64/libeindkomst.so" >&2; exit 1; }

# 5. The README example, run as a source file against the jar alone (no
#    LD_LIBRARY_PATH, no jna.library.path): the library comes out of the jar.
jna=$(find "$HOME/.m2/repository/net/java/dev/jna/jna" -name 'jna-5*.jar' ! -name '*sources*' | sort | tail -1)
mkdir -p "$target/java-readme"
awk '/^```java$/{on=1;next} /^```$/{on=0} on' bindings/java/README.md >"$target/java-readme/Example.java"
#    The jar's library is extracted once into the user's cache (here a fresh
#    XDG_CACHE_HOME), byte for byte, and loaded from there by the second run.
cache="$target/java-readme/cache"
rm -rf "$cache"
for run in first second; do
  out=$(env -u LD_LIBRARY_PATH XDG_CACHE_HOME="$PWD/$cache" java -cp "$jar:$jna" "$target/java-readme/Example.java" testdata/sample.txt)
  [ "$out" = "27 records, 6001 total 6906950 øre" ] \
    || { echo "71-java: README example printed ($run run): $out" >&2; exit 1; }
  cached=$(find "$cache/eindkomst/native" -name libeindkomst.so)
  [ "$(echo "$cached" | wc -l)" = 1 ] && cmp -s "$cached" "$target/release/libeindkomst.so" \
    || { echo "71-java: no cached copy of the jar's library after the $run run: '$cached'" >&2; exit 1; }
  #  JNA's libjnidispatch likewise, byte for byte as in the JNA jar.
  dispatch=$(find "$cache/eindkomst/native" -name libjnidispatch.so)
  [ "$(echo "$dispatch" | wc -l)" = 1 ] && cmp -s "$dispatch" <(unzip -p "$jna" com/sun/jna/linux-x86-64/libjnidispatch.so) \
    || { echo "71-java: no cached copy of JNA's libjnidispatch after the $run run: '$dispatch'" >&2; exit 1; }
  if [ "$run" = first ]; then stamp=$(stat -c %Y.%i "$cached" "$dispatch"); fi
done
[ "$(stat -c %Y.%i "$cached" "$dispatch")" = "$stamp" ] || { echo "71-java: the second run extracted a library again" >&2; exit 1; }
echo "java: README example from the jar (library cached in \$XDG_CACHE_HOME/eindkomst): $out"
