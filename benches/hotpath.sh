#!/usr/bin/env bash
# The hot path's figures (issue: "the hot path at memory speed"), in one run:
#  1. instructions per record (callgrind, deterministic): validate, decode
#     --raw and stats (and typed decode, NDJSON and CSV) on 104,000 generated
#     records, start-up subtracted (the same command on 100 records);
#  2. wall time, RUNS rounds of every command in turn, on a generated file
#     of SIZE_MB (>= 400): wc -l against validate --jobs 1, decode --raw and
#     stats against validate, and each command's --jobs N against --jobs 1;
#     peak RSS of validate --jobs N; and the machine's own ceiling for
#     --jobs N: N independent `validate --jobs 1` processes at once (no
#     sharing at all) against one alone. On a VM whose cores are not whole
#     cores, that ceiling is well below N.
# Usage: bash benches/hotpath.sh [SIZE_MB] [RUNS] [JOBS]   (defaults 450 3 every core)
# Absolute times on a shared machine are noise; the ratios are the result.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb="${1:-450}"
runs="${2:-3}"
jobs="${3:-$(nproc)}"
# shellcheck source=common.sh
source benches/common.sh

# 1. Instructions per record.
small=$(generated g100 100 3) medium=$(generated g104k 104000 3)
instr() { # command args... file -> instructions
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" >/dev/null 2>"$data/vg.log" || true
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$data/vg.log"
}
if command -v valgrind >/dev/null; then
  echo "instructions per record (callgrind, 104,000 records minus 100, --jobs 1):"
  # The goals' three commands, then typed decode as NDJSON and CSV (not goals:
  # what `decode` writes by default).
  for cmd in "validate" "decode --raw" "stats" "decode" "decode --format csv"; do
    # shellcheck disable=SC2086
    a=$(instr $cmd --jobs 1 "$medium") b=$(instr $cmd --jobs 1 "$small")
    echo "  $cmd: $(( (a - b) / 103900 ))"
  done
fi

# 2. Wall time on a large file.
big=$(generated "g${size_mb}mb" $((size_mb * 1000000 / 48)) 11)
bytes=$(stat -c %s "$big")
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
seconds() { # command... -> seconds of one run
  local s e
  s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f\n", e - s }'
}
apart() { # command... -> seconds of $jobs copies run at once
  local i s e
  s=$(date +%s.%N)
  for i in $(seq "$jobs"); do "$@" >/dev/null 2>&1 & done
  wait
  e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f\n", e - s }'
}
cat "$big" >/dev/null # warm the page cache
# Rounds: every command once per round, in turn, so that a burst of load from
# another process falls on one round of all of them; each ratio is taken
# within a round, then the median over the rounds (times: medians too).
names=(wc v1 vn apart raw rawn stats statsn)
declare -A cmd=(
  [wc]="wc -l $big"
  [v1]="$bin validate --jobs 1 $big" [vn]="$bin validate --jobs $jobs $big"
  [apart]="apart $bin validate --jobs 1 $big"
  [raw]="$bin decode --raw --jobs 1 $big" [rawn]="$bin decode --raw --jobs $jobs $big"
  [stats]="$bin stats --jobs 1 $big" [statsn]="$bin stats --jobs $jobs $big"
)
declare -A t=() all=() ratios=()
for _ in $(seq "$runs"); do
  for n in "${names[@]}"; do
    # The page cache of this VM loses pages of an idle file (about 1 MB/s
    # of 400 MB, 2026-12-04, with most memory free): each command reads a
    # warm file, or the first one of a round pays the disk.
    cat "$big" >/dev/null
    # shellcheck disable=SC2086
    t[$n]=$(seconds ${cmd[$n]})
    all[$n]+="${t[$n]} "
  done
  r() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
  ratios[v1_wc]+="$(r "${t[v1]}" "${t[wc]}") "
  ratios[vn_speedup]+="$(r "${t[v1]}" "${t[vn]}") "
  ratios[ceiling]+="$(awk -v n="$jobs" -v a="${t[v1]}" -v b="${t[apart]}" 'BEGIN { printf "%.3f", n * a / b }') "
  ratios[raw_v1]+="$(r "${t[raw]}" "${t[v1]}") "
  ratios[rawn_speedup]+="$(r "${t[raw]}" "${t[rawn]}") "
  ratios[stats_v1]+="$(r "${t[stats]}" "${t[v1]}") "
  ratios[statsn_speedup]+="$(r "${t[stats]}" "${t[statsn]}") "
done
med() { printf '%s\n' $1 | median; } # shellcheck disable=SC2086
T() { med "${all[$1]}"; }
R() { awk -v x="$(med "${ratios[$1]}")" 'BEGIN { printf "%.2f", x }'; }
/usr/bin/time -f %M -o "$data/rss" "$bin" validate --jobs "$jobs" "$big" >/dev/null 2>&1 || true
rss=$(tail -n 1 "$data/rss")
mbps() { awk -v n="$bytes" -v t="$1" 'BEGIN { printf "%.0f", n / 1000000 / t }'; }
echo "wall time, $runs rounds (ratios within a round, then the median), $(( bytes / 1000000 )) MB, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg):"
echo "  wc -l                  $(T wc)s ($(mbps "$(T wc)") MB/s)"
echo "  validate --jobs 1      $(T v1)s ($(mbps "$(T v1)") MB/s) = $(R v1_wc)x wc -l"
echo "  validate --jobs $jobs      $(T vn)s ($(mbps "$(T vn)") MB/s) = $(R vn_speedup)x faster than --jobs 1, peak RSS $(( ${rss:-0} / 1024 )) MiB"
echo "  $jobs x validate --jobs 1 at once $(T apart)s = $(R ceiling)x the work of one in its time: the machine's ceiling for --jobs $jobs"
echo "  decode --raw --jobs 1  $(T raw)s = $(R raw_v1)x validate; --jobs $jobs $(T rawn)s = $(R rawn_speedup)x faster"
echo "  stats --jobs 1         $(T stats)s = $(R stats_v1)x validate; --jobs $jobs $(T statsn)s = $(R statsn_speedup)x faster"
