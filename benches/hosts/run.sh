#!/usr/bin/env bash
# The host bindings against native Rust, the same work in one run.
#
#   benches/hosts/run.sh [--records N] [--runs N]
#
# Workload A: sum the 6001 amounts per feltnummer. Workload B: every field of
# every record as a string. Native: eindkomst/examples/hostbench.rs (the std
# crate's Reader). Hosts: HostBench.java (JNA, JDK 17, the event cursor and
# record view), HostBench.cs (Mono, the value-type record view),
# hostbench.mjs (Node, the npm package's Wasm). Every contender must print the
# native output exactly; then each is timed (median of --runs, default 3) with
# its peak RSS (/usr/bin/time %M). The input is generated with the CLI's
# `generate` ($EINDKOMST_CLI, default target/release/eindkomst): 9,000,000
# records, about 430 MB. Prints a Markdown table (also written to
# benches/hosts/results.md) with MB/s and the ratio to native.
#
# Needs: cargo, the release C ABI (cargo build --release -p eindkomst-ffi),
# the Java engine jar (mvn package in bindings/java), Mono (mcs), Node and the
# built npm package (wasm/build.sh).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"
RECORDS=9000000 RUNS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --records) RECORDS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
log() { printf '[hosts] %s\n' "$*" >&2; }
die() { printf '[hosts] FAILED: %s\n' "$*" >&2; exit 1; }
OUT="$ROOT/target/hosts-bench"
mkdir -p "$OUT"
CLI=${EINDKOMST_CLI:-$ROOT/target/release/eindkomst}

log "building the native side, the C ABI, the C# and Java programs"
# Two builds: with --example, cargo builds only that example of every -p given (not the C ABI).
(cd "$ROOT" && cargo build -q --release -p eindkomst --example hostbench && cargo build -q --release -p eindkomst-ffi) \
  || die "cargo build"
NATIVE="$ROOT/target/release/examples/hostbench"
[ -s "$ROOT/bindings/java/engine/target/eindkomst-0.2.0.jar" ] || die "bindings/java: mvn package first"
JNA=$(find "$HOME/.m2/repository/net/java/dev/jna/jna" -name 'jna-5*.jar' ! -name '*sources*' | sort | tail -1)
JCP="$ROOT/bindings/java/engine/target/eindkomst-0.2.0.jar:$JNA"
mkdir -p "$OUT/java" "$OUT/dotnet"
javac -d "$OUT/java" -cp "$JCP" "$HERE/HostBench.java" || die "javac"
bash "$ROOT/bindings/dotnet/build.sh" "$OUT/dotnet" >/dev/null || die "dotnet build"
mcs -nologo -optimize+ -r:"$OUT/dotnet/Eindkomst.dll" -out:"$OUT/dotnet/HostBench.exe" "$HERE/HostBench.cs" || die "mcs"
export EINDKOMST_PKG="$ROOT/wasm/build/pkg/node/index.cjs"
[ -s "$EINDKOMST_PKG" ] || die "wasm/build.sh first"

INPUT="$OUT/input-$RECORDS.txt"
if [ ! -s "$INPUT" ]; then
  log "generating $INPUT ($RECORDS records)"
  "$CLI" generate --records "$RECORDS" --seed 3 -o "$INPUT.tmp" && mv "$INPUT.tmp" "$INPUT"
fi
BYTES=$(stat -c %s "$INPUT")
log "input: $BYTES bytes"
cat "$INPUT" >/dev/null

# The JVM gets a small heap: the binding keeps no object per record.
JAVA=(java -Xms16m -Xmx64m -XX:+UseSerialGC -cp "$OUT/java:$JCP" HostBench)
declare -A CMD=(
  [rust]="$NATIVE"
  [java]="${JAVA[*]}"
  [csharp]="env -u LD_LIBRARY_PATH mono $OUT/dotnet/HostBench.exe"
  [node]="node $HERE/hostbench.mjs"
)
NAMES=(rust java csharp node)
declare -A LABEL=([rust]="native Rust (std crate Reader)" [java]="Java 17 (JNA, cursor + RecordView)" [csharp]="C# (Mono 6.8, RecordView struct)" [node]="Node 20 (Wasm, npm package)")

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A SECS RSS
for w in A B; do
  for n in "${NAMES[@]}"; do
    log "$w: ${LABEL[$n]}"
    times=() rsss=()
    for i in $(seq 0 "$RUNS"); do # run 0 warms up and is checked, not timed
      s=$(date +%s%N)
      # shellcheck disable=SC2086
      /usr/bin/time -f %M -o "$OUT/$n-$w.rss" ${CMD[$n]} "$w" "$INPUT" >"$OUT/$n-$w.out" 2>"$OUT/$n-$w.err" \
        || { tail -5 "$OUT/$n-$w.err" >&2; die "$n $w failed"; }
      e=$(date +%s%N)
      if [ "$i" -eq 0 ]; then
        [ "$n" = rust ] || cmp -s "$OUT/rust-$w.out" "$OUT/$n-$w.out" \
          || { diff "$OUT/rust-$w.out" "$OUT/$n-$w.out" | head >&2; die "$n $w: output differs from native"; }
        continue
      fi
      times+=("$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')")
      rsss+=("$(tail -1 "$OUT/$n-$w.rss")")
    done
    SECS[$n$w]=$(printf '%s\n' "${times[@]}" | median)
    RSS[$n$w]=$(printf '%s\n' "${rsss[@]}" | median)
    log "$w ${LABEL[$n]}: ${SECS[$n$w]} s (${times[*]}), peak RSS ${RSS[$n$w]} KiB"
  done
done

{
  echo "Input: $BYTES bytes, $RECORDS records (\`eindkomst generate --seed 3\`), median of $RUNS runs after a checked warm-up; $(nproc) cores, $(date -u +%Y-%m-%d)."
  echo "A: sum the 6001 amounts per feltnummer. B: every field of every record as a string. Ratio: native time / contender time."
  echo
  echo "| Contender | A MB/s | A ratio | A peak RSS | B MB/s | B ratio | B peak RSS |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for n in "${NAMES[@]}"; do
    row="| ${LABEL[$n]}"
    for w in A B; do
      mbs=$(awk -v b="$BYTES" -v t="${SECS[$n$w]}" 'BEGIN { printf "%.0f", b / t / 1e6 }')
      ratio=$(awk -v r="${SECS[rust$w]}" -v t="${SECS[$n$w]}" 'BEGIN { printf "%.2f×", r / t }')
      rss=$(awk -v k="${RSS[$n$w]}" 'BEGIN { printf "%.0f MiB", k / 1024 }')
      row+=" | $mbs | $ratio | $rss"
    done
    echo "$row |"
  done
} | tee "$HERE/results.md"
