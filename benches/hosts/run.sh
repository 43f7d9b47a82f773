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
# native output exactly; then --runs rounds (default 5) run every contender once
# in turn, timed with its peak RSS (/usr/bin/time %M); the ratio to native is
# taken per round and its median reported (a burst of load from another
# process then touches one round of every contender, not every run of one). The input is generated with the CLI's
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
RECORDS=9000000 RUNS=5
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
# One run of contender $1 on workload $2: its seconds on stdout, peak RSS in $OUT/$1-$2.rss.
run_one() {
  local n=$1 w=$2 s e
  s=$(date +%s%N)
  # shellcheck disable=SC2086
  /usr/bin/time -f %M -o "$OUT/$n-$w.rss" ${CMD[$n]} "$w" "$INPUT" >"$OUT/$n-$w.out" 2>"$OUT/$n-$w.err" \
    || { tail -5 "$OUT/$n-$w.err" >&2; die "$n $w failed"; }
  e=$(date +%s%N)
  awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'
}
# Rounds: every contender once per round, in turn, so a burst of load from
# another process falls on one round of all of them rather than on all runs
# of one. The ratio is per round (native time / contender time in the same
# round), then the median over rounds; MB/s is from the median time.
declare -A SECS RSS RATIO
for w in A B; do
  for n in "${NAMES[@]}"; do # round 0 warms up and is checked, not timed
    log "$w: ${LABEL[$n]} (checked warm-up)"
    run_one "$n" "$w" >/dev/null
    [ "$n" = rust ] || cmp -s "$OUT/rust-$w.out" "$OUT/$n-$w.out" \
      || { diff "$OUT/rust-$w.out" "$OUT/$n-$w.out" | head >&2; die "$n $w: output differs from native"; }
  done
  declare -A times=() rsss=() ratios=()
  for i in $(seq 1 "$RUNS"); do
    declare -A t=()
    for n in "${NAMES[@]}"; do
      t[$n]=$(run_one "$n" "$w")
      times[$n]+="${t[$n]} "
      rsss[$n]+="$(tail -1 "$OUT/$n-$w.rss") "
    done
    for n in "${NAMES[@]}"; do
      ratios[$n]+="$(awk -v r="${t[rust]}" -v c="${t[$n]}" 'BEGIN { printf "%.3f", r / c }') "
    done
    log "$w round $i: $(for n in "${NAMES[@]}"; do printf '%s %s s  ' "$n" "${t[$n]}"; done)"
  done
  for n in "${NAMES[@]}"; do
    # shellcheck disable=SC2086
    SECS[$n$w]=$(printf '%s\n' ${times[$n]} | median)
    # shellcheck disable=SC2086
    RSS[$n$w]=$(printf '%s\n' ${rsss[$n]} | median)
    # shellcheck disable=SC2086
    RATIO[$n$w]=$(printf '%s\n' ${ratios[$n]} | median)
    log "$w ${LABEL[$n]}: ${SECS[$n$w]} s (${times[$n]}), ratio per round ${ratios[$n]}, peak RSS ${RSS[$n$w]} KiB"
  done
  unset times rsss ratios
done

{
  echo "Input: $BYTES bytes, $RECORDS records (\`eindkomst generate --seed 3\`), $RUNS rounds (every contender once per round, in turn) after a checked warm-up, time and MB/s the median; $(nproc) cores, $(date -u +%Y-%m-%d)."
  echo "A: sum the 6001 amounts per feltnummer. B: every field of every record as a string. Ratio: native time / contender time in the same round, median over the rounds."
  echo
  echo "| Contender | A MB/s | A ratio | A peak RSS | B MB/s | B ratio | B peak RSS |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for n in "${NAMES[@]}"; do
    row="| ${LABEL[$n]}"
    for w in A B; do
      mbs=$(awk -v b="$BYTES" -v t="${SECS[$n$w]}" 'BEGIN { printf "%.0f", b / t / 1e6 }')
      ratio=$(awk -v r="${RATIO[$n$w]}" 'BEGIN { printf "%.2f×", r }')
      rss=$(awk -v k="${RSS[$n$w]}" 'BEGIN { printf "%.0f MiB", k / 1024 }')
      row+=" | $mbs | $ratio | $rss"
    done
    echo "$row |"
  done
} | tee "$HERE/results.md"
