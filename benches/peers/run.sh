#!/usr/bin/env bash
# eindkomst against its peers, side by side on one generated input.
#
#   benches/peers/run.sh [--size 10MB|1GB] [--runs N]
#
# Generates the input with `eindkomst generate`, builds every contender, makes
# each print the same totals (records per type, sum of amounts in øre per field
# number) and stops with an error unless they agree with eindkomst's reference
# (rust/src/bin/reference.rs on the core). Then times each contender: one
# warm-up run, then N runs (default 5); a contender whose warm-up takes longer
# than 5 s gets 3 runs, longer than 20 s gets its warm-up as its only run (the
# table says how many; --runs 0: the warm-up is the only run), and no row spends more than a quarter of the time left
# before a deadline (560 s for 1 GB) on its runs, and a run still going 30 s
# after the deadline is stopped (its row then shows "< MB/s" and runs 0): the
# 1 GB run stays under 10 minutes even on a busy machine. Every run's totals are checked again. Reports median
# MB/s and records/s, and the peak RSS (/usr/bin/time %M), as a Markdown table
# in benches/peers/results-<size>.md and on stdout.
#
# Contenders whose part of the project is missing (the Java/JNA binding, the
# C# binding, the WASM package) or whose tool is not installed are skipped
# with a note. EINDKOMST_PEERS_ONLY="wc cat ..." limits the run to some rows
# (by their short names, see `row` calls below); EINDKOMST_PEERS_RESULT=FILE
# writes the table there instead of results-<size>.md.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"

SIZE=10MB RUNS=5 SEED=1
while [ $# -gt 0 ]; do
  case "$1" in
    --size) SIZE=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
case "$SIZE" in
  10MB) BYTES=10000000 ;;
  1GB) BYTES=1000000000 ;;
  *) echo "--size must be 10MB or 1GB" >&2; exit 2 ;;
esac

DATA="$HERE/data" LOGS="$HERE/logs/$SIZE"
mkdir -p "$DATA" "$LOGS"
log() { printf '[peers] %s\n' "$*" >&2; }
die() { printf '[peers] FAILED: %s\n' "$*" >&2; exit 1; }
START=$(date +%s)
# The whole 1 GB run must stay under 10 minutes: runs are cut to fit this deadline.
case "$SIZE" in 1GB) BUDGET=560 ;; *) BUDGET=600 ;; esac
DEADLINE=$(( START + ${EINDKOMST_PEERS_BUDGET:-$BUDGET} ))

# ---------------------------------------------------------------- build
log "building eindkomst (CLI, throughput example) and the Rust peers"
(cd "$ROOT" && cargo build -q --release -p eindkomst-cli -p eindkomst-benches --example throughput) || die "cargo build"
(cd "$HERE/rust" && cargo build -q --release) || die "cargo build of benches/peers/rust"
CLI="$ROOT/target/release/eindkomst"
THROUGHPUT="$ROOT/target/release/examples/throughput"
if command -v mvn >/dev/null && command -v java >/dev/null; then
  log "building the Java peers"
  (cd "$HERE/java" && mvn -q -B package) >"$LOGS/mvn.log" 2>&1 || { cat "$LOGS/mvn.log" >&2; die "mvn package of benches/peers/java"; }
fi

# ---------------------------------------------------------------- input
# Lines average ~48 bytes; size the record count from a small sample of the same generator.
"$CLI" generate --records 100000 --seed "$SEED" -o "$DATA/sample.dat"
SAMPLE_BYTES=$(stat -c %s "$DATA/sample.dat")
RECORDS=$(( BYTES * 100000 / SAMPLE_BYTES ))
INPUT="$DATA/input-$SIZE-seed$SEED.dat"
if [ ! -f "$INPUT.done" ] || [ "$(cat "$INPUT.done")" != "$RECORDS" ]; then
  log "generating $INPUT ($RECORDS records)"
  rm -f "$INPUT.done"
  "$CLI" generate --records "$RECORDS" --seed "$SEED" -o "$INPUT"
  echo "$RECORDS" >"$INPUT.done"
fi
FILE_BYTES=$(stat -c %s "$INPUT")
log "input: $FILE_BYTES bytes, $RECORDS records ($(( FILE_BYTES / RECORDS )) bytes/line)"
cat "$INPUT" >/dev/null # page cache warm for everyone

# ---------------------------------------------------------------- reference totals
"$HERE/rust/target/release/reference" "$INPUT" >"$LOGS/reference.totals" 2>"$LOGS/reference.err" \
  || { cat "$LOGS/reference.err" >&2; die "reference decode of the input is not clean"; }
grep -E '^(records|amount 6001/)' "$LOGS/reference.totals" >"$LOGS/reference-6001.totals"
[ "$(awk '$1 == "records" { n += $3 } END { print n }' "$LOGS/reference.totals")" = "$RECORDS" ] \
  || die "reference counts $(cat "$LOGS/reference.totals" | head -3) do not add up to $RECORDS records"
# Lb_nr has 7 digits: a file of more than 9,999,999 lines wraps it (and its 9999 cannot state
# the count). Every contender decodes such a file in full; the core reports these stream errors.
WRAPS=""
if [ "$RECORDS" -gt 9999999 ]; then
  WRAPS="The input has more than 9,999,999 lines, so the 7-digit Lb_nr wraps to 0 every 10^7 lines and the 9999 cannot state the count: eindkomst reports $(( RECORDS / 10000000 + 1 )) stream errors for that (rejecting no line), so the CLI validate exits 1; the peers accept the wrap."
fi
log "reference totals: $(grep -c . "$LOGS/reference.totals") lines, $(grep -c '^amount' "$LOGS/reference.totals") amount keys"

# ---------------------------------------------------------------- measuring
ROWS=() NOTES=()
note() { NOTES+=("$1"); log "note: $1"; }
wanted() { [ -z "${EINDKOMST_PEERS_ONLY:-}" ] || [[ " $EINDKOMST_PEERS_ONLY " == *" $1 "* ]]; }

# check KIND OUT: the output of one run proves the contender did the work.
#   full   - the totals equal the reference's
#   6001   - records per type and the 6001 sums equal the reference's
#   lines  - `wc -l` printed the record count
#   none   - nothing to compare (cat)
#   validate / throughput - the count of records the tool reports
check() {
  local kind=$1 out=$2
  case "$kind" in
    full) diff -u "$LOGS/reference.totals" "$out" >&2 || return 1 ;;
    6001) diff -u "$LOGS/reference-6001.totals" "$out" >&2 || return 1 ;;
    lines) [ "$(awk '{ print $1 }' "$out")" = "$RECORDS" ] || return 1 ;;
    validate) grep -q "^lines $RECORDS, decoded $RECORDS, rejected 0" "$out" || return 1 ;;
    throughput) grep -q " $RECORDS records" "$out" || return 1 ;;
    none) ;;
  esac
}

# once NAME KIND CMD...: one run; sets T (seconds, wall clock) and RSS (KiB).
once() {
  local name=$1 kind=$2; shift 2
  local out="$LOGS/$name.out" err="$LOGS/$name.err" s e
  [ "$kind" = none ] && out=/dev/null # `cat > /dev/null`
  s=$(date +%s%N)
  local rc=0 limit=$(( DEADLINE + 30 - $(date +%s) ))
  [ "$limit" -lt 1 ] && limit=1
  timeout -s KILL "$limit" /usr/bin/time -f %M -o "$LOGS/$name.rss" "$@" <"$INPUT" >"$out" 2>"$err" || rc=$?
  if [ "$rc" -eq 137 ] || [ "$rc" -eq 124 ]; then
    # Out of time: the row says how long it ran, which bounds its speed.
    e=$(date +%s%N)
    T=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.4f", (b - a) / 1e9 }') RSS="" TIMED_OUT=1
    return 0
  fi
  # `validate` exits 1 on the 1 GB input's stream errors (see WRAPS); its check reads the counts.
  if [ "$rc" -ne 0 ] && ! { [ "$kind" = validate ] && [ "$rc" -eq 1 ]; }; then
    tail -20 "$err" >&2; die "$name exited with status $rc (output in $LOGS)"
  fi
  e=$(date +%s%N)
  T=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
  RSS=$(tail -1 "$LOGS/$name.rss")
  check "$kind" "$out" || die "$name: totals differ from the reference (see diff above; output in $out)"
  if [ "$kind" = throughput ]; then
    # Self-timed in memory: its own MB/s, turned back into seconds for the table.
    local mbs; mbs=$(sed -n 's/.*: \([0-9.]*\) MB\/s.*/\1/p' "$out")
    T=$(awk -v b="$FILE_BYTES" -v m="$mbs" 'BEGIN { printf "%.4f", b / (m * 1e6) }')
  fi
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# row SHORT "Contender" KIND CMD...: warm-up, measured runs, one table row.
row() {
  local short=$1 label=$2 kind=$3; shift 3
  wanted "$short" || return 0
  log "$label: warm-up"
  TIMED_OUT=0
  once "$short" "$kind" "$@"
  if [ "$TIMED_OUT" = 1 ]; then
    note "$label: stopped after $T s, at the end of the time budget: slower than the bound shown"
    ROWS+=("$short|$label|0|$T|")
    return 0
  fi
  local warm=$T runs=$RUNS times=() rsss=()
  if [ "$RUNS" -eq 0 ] || awk -v t="$warm" 'BEGIN { exit !(t > 20) }'; then
    runs=0 times=("$T") rsss=("$RSS")
  elif awk -v t="$warm" 'BEGIN { exit !(t > 5) }'; then
    runs=$(( RUNS < 3 ? RUNS : 3 ))
  fi
  # A row may spend at most a quarter of the time left before the deadline on its runs,
  # so the slow contenders at the end still fit (the machine is shared: runs vary).
  local left=$(( DEADLINE - $(date +%s) ))
  local fit; fit=$(awk -v l="$left" -v t="$warm" 'BEGIN { n = int(l / 4 / t); print n < 0 ? 0 : n }')
  if [ "$fit" -lt "$runs" ]; then
    log "$label: $runs run(s) would not fit the time budget, taking $fit"
    runs=$fit
    [ "$runs" -eq 0 ] && times=("$warm") rsss=("$RSS")
  fi
  for _ in $(seq 1 "$runs"); do
    once "$short" "$kind" "$@"
    [ "$TIMED_OUT" = 1 ] && break
    times+=("$T") rsss+=("$RSS")
  done
  local t rss n=${#times[@]}
  t=$(printf '%s\n' "${times[@]}" | median)
  rss=$(printf '%s\n' "${rsss[@]}" | median)
  log "$label: median ${t}s over $n run(s) (${times[*]})"
  ROWS+=("$short|$label|$n|$t|$rss")
}

JAVA_CP="$HERE/java/target/classes:$HERE/java/target/lib/*"
PY="$HERE/.venv/bin/python"

row wc "\`wc -l\`" lines wc -l "$INPUT"
row cat "\`cat > /dev/null\`" none cat "$INPUT"
row validate "eindkomst CLI \`validate\`" validate "$CLI" validate "$INPUT"
row core "eindkomst core, in memory (throughput example)" throughput "$THROUGHPUT" "$INPUT" 1
row reference "eindkomst core + totals (Rust, reads the file)" full "$HERE/rust/target/release/reference" "$INPUT"

row fixed_width "Rust \`fixed_width\` 0.6 crate + serde (every record type)" full "$HERE/rust/target/release/fixed_width_peer" "$INPUT"

# The bindings: rows only when their part of the project is built (run.sh does not build them).
ENGINE_JAR=$(ls "$ROOT"/bindings/java/engine/target/eindkomst-[0-9]*.jar 2>/dev/null | grep -v -e sources -e javadoc | head -1 || true)
JNA_VERSION=$(sed -n 's/.*<jna.version>\(.*\)<\/jna.version>.*/\1/p' "$ROOT/bindings/java/pom.xml" 2>/dev/null || true)
JNA=$HOME/.m2/repository/net/java/dev/jna/jna/$JNA_VERSION/jna-$JNA_VERSION.jar
if [ -n "$ENGINE_JAR" ] && [ -f "$JNA" ] && [ -d "$HERE/java/target/classes/peers" ]; then
  # The binding's jar carries its own copy of libeindkomst.so (as built with it).
  mkdir -p "$HERE/java/target/jna-classes"
  javac -d "$HERE/java/target/jna-classes" -cp "$HERE/java/target/classes:$ENGINE_JAR:$JNA" "$HERE/java/jna/JnaPeer.java" \
    || die "javac JnaPeer against $ENGINE_JAR"
  row jna "eindkomst from Java (JNA binding, $(basename "$ENGINE_JAR"))" full \
    java -cp "$HERE/java/target/jna-classes:$HERE/java/target/classes:$ENGINE_JAR:$JNA" peers.JnaPeer "$INPUT"
else
  note "eindkomst from Java (JNA binding): skipped, bindings/java/engine is not built (mvn -f bindings/java/pom.xml package) or JNA $JNA_VERSION is not in ~/.m2"
fi
# The main peer before the slow rows, so it keeps its runs within the time budget.
if [ -d "$HERE/java/target/classes/peers" ]; then
  row java "Java, hand-written (BufferedReader + substring + parseInt/BigDecimal)" full java -cp "$JAVA_CP" peers.HandParser "$INPUT"
fi
if [ -f "$ROOT/target/dotnet/Eindkomst.dll" ] && [ -f "$ROOT/target/dotnet/libeindkomst.so" ] && command -v mcs >/dev/null; then
  mkdir -p "$HERE/dotnet/bin"
  cp "$ROOT/target/dotnet/Eindkomst.dll" "$ROOT/target/dotnet/libeindkomst.so" "$HERE/dotnet/bin/"
  mcs -nologo -optimize+ -r:"$HERE/dotnet/bin/Eindkomst.dll" -out:"$HERE/dotnet/bin/MonoPeer.exe" "$HERE/dotnet/MonoPeer.cs" \
    || die "mcs MonoPeer.cs against target/dotnet/Eindkomst.dll"
  row mono "eindkomst from C# (Mono $(mono --version | sed -n 's/.*version \([0-9.]*\).*/\1/p' | head -1), bindings/dotnet)" full bash "$HERE/dotnet/run.sh" "$INPUT"
else
  note "eindkomst from C# (Mono): skipped, bindings/dotnet is not built (bash bindings/dotnet/build.sh makes target/dotnet/Eindkomst.dll)"
fi
if [ -f "$ROOT/wasm/build/pkg/node/index.mjs" ] && command -v node >/dev/null; then
  row wasm "eindkomst from Node $(node --version) (WASM package, wasm/build/pkg)" full node "$HERE/node/wasm_peer.mjs" "$INPUT"
else
  note "eindkomst from Node (WASM): skipped, wasm/build/pkg is not built (bash wasm/build.sh)"
fi

if [ -d "$HERE/java/target/classes/peers" ]; then
  row beanio "Java, BeanIO 2.1.0 mapping (every record type)" full java -cp "$JAVA_CP" peers.BeanIOPeer "$INPUT"
else
  note "Java peers: skipped, no java/mvn"
fi
if [ -x "$PY" ] && "$PY" -c 'import pandas' 2>/dev/null; then
  row pandas "Python pandas $("$PY" -c 'import pandas; print(pandas.__version__)') \`read_fwf\` (6001 layout)" 6001 "$PY" "$HERE/python/pandas_peer.py" "$INPUT"
else
  note "pandas: skipped, benches/peers/.venv has no pandas (run scripts/setup.sh)"
fi

# ---------------------------------------------------------------- table
speed() { awk -v b="$FILE_BYTES" -v t="$1" 'BEGIN { printf "%.1f", b / t / 1e6 }'; }
base_t() { local r; for r in "${ROWS[@]}"; do IFS='|' read -r s _ _ t _ <<<"$r"; if [ "$s" = "$1" ]; then echo "$t"; fi; done; }
NATIVE_T=$(base_t validate) WC_T=$(base_t wc)
RESULT="${EINDKOMST_PEERS_RESULT:-$HERE/results-$SIZE.md}"
{
  echo "## eindkomst against its peers, $SIZE input"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(uname -sr);"
  echo "input: \`eindkomst generate --records $RECORDS --seed $SEED\`, $FILE_BYTES bytes, $RECORDS records ($(( FILE_BYTES / RECORDS )) bytes/line), page cache warm."
  echo "Command: \`benches/peers/run.sh --size $SIZE --runs $RUNS\`. Median of the runs after one warm-up"
  echo "(a contender whose warm-up took > 5 s: 3 runs; > 20 s: the warm-up is its only run; fewer when a row would"
  echo "take more than a quarter of the time left before the 560 s deadline; runs 0: stopped 30 s after it, \"<\" bounds)."
  echo "Every contender printed the same totals as eindkomst's reference (records per type, øre per field number;"
  echo "pandas: records per type and the 6001 sums) on every run. Ratios are speed ratios (MB/s ÷ MB/s);"
  echo "\"eindkomst native\" is the CLI \`validate\`."
  echo
  echo "| Contender | runs | MB/s | records/s | peak RSS | × eindkomst native | × \`wc -l\` |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for r in "${ROWS[@]}"; do
    IFS='|' read -r short label n t rss <<<"$r"
    lt=""; [ "$n" = 0 ] && lt="< " # stopped at the deadline: an upper bound
    mbs="$lt$(speed "$t")"
    rps=$(awk -v r="$RECORDS" -v t="$t" -v lt="$lt" 'BEGIN { printf "%s%.2f M", lt, r / t / 1e6 }')
    mib=$([ -n "$rss" ] && awk -v k="$rss" 'BEGIN { printf "%.0f MiB", k / 1024 }' || echo "–")
    xn=$([ -n "$NATIVE_T" ] && awk -v a="$NATIVE_T" -v t="$t" -v lt="$lt" 'BEGIN { printf "%s%.3g×", lt, a / t }' || echo "–")
    xw=$([ -n "$WC_T" ] && awk -v a="$WC_T" -v t="$t" -v lt="$lt" 'BEGIN { printf "%s%.3g×", lt, a / t }' || echo "–")
    echo "| $label | $n | $mbs | $rps | $mib | $xn | $xw |"
  done
  if [ -n "$WRAPS" ]; then echo; echo "$WRAPS"; fi
  if [ ${#NOTES[@]} -gt 0 ]; then
    echo
    for n in "${NOTES[@]}"; do echo "- $n"; done
  fi
  echo
  echo "Whole run: $(( $(date +%s) - START )) s."
} >"$RESULT"
cat "$RESULT"
