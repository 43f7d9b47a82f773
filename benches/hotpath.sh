#!/usr/bin/env bash
# The hot path's figures (issue: "the hot path at memory speed"), in one run:
#  1. instructions per record (callgrind, deterministic): validate, decode
#     --raw and stats on 104,000 generated records, start-up subtracted (the
#     same command on 100 records);
#  2. wall time, median of RUNS, on a generated file of SIZE_MB (>= 400):
#     wc -l against validate --jobs 1, decode --raw and stats against
#     validate, and --jobs N against --jobs 1; peak RSS of --jobs N.
# Usage: bash benches/hotpath.sh [SIZE_MB] [RUNS] [JOBS]   (defaults 450 3 every core)
# Absolute times on a shared machine are noise; the ratios are the result.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb="${1:-450}"
runs="${2:-3}"
jobs="${3:-$(nproc)}"
export PATH="$HOME/.cargo/bin:$PATH"

cargo build -q --release -p eindkomst-cli
bin=target/release/eindkomst
data=target/bench-data
mkdir -p "$data"

# 1. Instructions per record.
small="$data/g100.txt" medium="$data/g104k.txt"
[ -s "$small" ] || "$bin" generate --records 100 --seed 3 -o "$small"
[ -s "$medium" ] || "$bin" generate --records 104000 --seed 3 -o "$medium"
instr() { # command args... file -> instructions
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" >/dev/null 2>"$data/vg.log" || true
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$data/vg.log"
}
if command -v valgrind >/dev/null; then
  echo "instructions per record (callgrind, 104,000 records minus 100, --jobs 1):"
  for cmd in "validate" "decode --raw" "stats"; do
    # shellcheck disable=SC2086
    a=$(instr $cmd --jobs 1 "$medium") b=$(instr $cmd --jobs 1 "$small")
    echo "  $cmd: $(( (a - b) / 103900 ))"
  done
fi

# 2. Wall time on a large file.
big="$data/g${size_mb}mb.txt"
if [ ! -s "$big" ]; then
  records=$(( size_mb * 1000000 / 48 ))
  "$bin" generate --records "$records" --seed 11 -o "$big"
fi
bytes=$(stat -c %s "$big")
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_of() { # command... -> median seconds
  for _ in $(seq "$runs"); do
    s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
    awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f\n", e - s }'
  done | median
}
cat "$big" >/dev/null # warm the page cache
t_wc=$(time_of wc -l "$big")
t_v1=$(time_of "$bin" validate --jobs 1 "$big")
t_vn=$(time_of "$bin" validate --jobs "$jobs" "$big")
t_raw=$(time_of "$bin" decode --raw --jobs 1 "$big")
t_stats=$(time_of "$bin" stats --jobs 1 "$big")
/usr/bin/time -f %M -o "$data/rss" "$bin" validate --jobs "$jobs" "$big" >/dev/null 2>&1 || true
rss=$(tail -n 1 "$data/rss")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mbps() { awk -v n="$bytes" -v t="$1" 'BEGIN { printf "%.0f", n / 1000000 / t }'; }
echo "wall time, median of $runs, $(( bytes / 1000000 )) MB, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg):"
echo "  wc -l                  ${t_wc}s ($(mbps "$t_wc") MB/s)"
echo "  validate --jobs 1      ${t_v1}s ($(mbps "$t_v1") MB/s) = $(ratio "$t_v1" "$t_wc")x wc -l"
echo "  validate --jobs $jobs      ${t_vn}s ($(mbps "$t_vn") MB/s) = $(ratio "$t_v1" "$t_vn")x faster than --jobs 1, peak RSS $(( ${rss:-0} / 1024 )) MiB"
echo "  decode --raw --jobs 1  ${t_raw}s = $(ratio "$t_raw" "$t_v1")x validate"
echo "  stats --jobs 1         ${t_stats}s = $(ratio "$t_stats" "$t_v1")x validate"
