#!/usr/bin/env bash
# Where `validate`'s time goes on the generated mix of record types, from
# files built out of it (benches/mix.py; docs/performance.md, "Where the
# time goes now"):
#  1. a person of one 6000 and three 6001s, repeated 1,000,000 times:
#     `validate --jobs 1` against `wc -l` on that file;
#  2. the same person with one line of another type added: what a line of
#     that type adds (ns);
#  3. hotpath.sh's 416 MB file as generated, with its persons sorted by
#     their pattern of types (the same lines and type changes, in an order
#     branch prediction can learn), and with every person's line replaced
#     by the first line of its type.
# Each time is the fastest of RUNS interleaved runs (default 9), the file
# read before each run; compare within one run of this script.
# Usage: bash benches/mix.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-9}"
# shellcheck source=common.sh
source benches/common.sh
mkdir -p "$data/mix"
# The inputs of hotpath.sh (its 416 MB file: SIZE_MB 420).
src=$(generated g104k 104000 3) big=$(generated g420mb $((420 * 1000000 / 48)) 11)
mk() { # OUT ARGS... : build once
  local out="$1"
  shift
  [ -s "$out" ] || python3 benches/mix.py "$@"
  "$bin" validate --jobs 1 "$out" >/dev/null || { echo "mix.sh: $out is not clean" >&2; exit 1; }
}
n=1000000
mk "$data/mix/person.txt" person "$src" "$data/mix/person.txt" $n 6000 6001 6001 6001
others=(6002 6003 6004 6005 6111)
for t in "${others[@]}"; do
  mk "$data/mix/plus$t.txt" person "$src" "$data/mix/plus$t.txt" $n 6000 6001 6001 6001 "$t"
done
# An 8001 comes directly after its 6000.
mk "$data/mix/plus8001.txt" person "$src" "$data/mix/plus8001.txt" $n 6000 8001 6001 6001 6001
mk "$data/mix/sorted.txt" sorted "$big" "$data/mix/sorted.txt"
mk "$data/mix/same.txt" same "$big" "$data/mix/same.txt"

seconds() { # command... -> seconds of one run, the file (last argument) read first
  local s e
  cat "${!#}" >/dev/null
  s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN { printf "%.4f\n", e - s }'
}
files=(person "${others[@]/#/plus}" plus8001)
declare -A best=()
keep() { # NAME SECONDS: the fastest so far
  if [ -z "${best[$1]:-}" ] || awk -v a="$2" -v b="${best[$1]}" 'BEGIN { exit !(a < b) }'; then best[$1]=$2; fi
}
for _ in $(seq "$runs"); do
  keep wc "$(seconds wc -l "$data/mix/person.txt")"
  for f in "${files[@]}"; do keep "$f" "$(seconds "$bin" validate --jobs 1 "$data/mix/$f.txt")"; done
  keep big "$(seconds "$bin" validate --jobs 1 "$big")"
  keep sorted "$(seconds "$bin" validate --jobs 1 "$data/mix/sorted.txt")"
  keep same "$(seconds "$bin" validate --jobs 1 "$data/mix/same.txt")"
done
echo "fastest of $runs runs, validate --jobs 1:"
awk -v v="${best[person]}" -v w="${best[wc]}" 'BEGIN { printf "  a person of a 6000 and three 6001s, x1,000,000: %.3fs, %.1f ns a line, %.2fx wc -l (%.3fs)\n", v, v / 4 * 1000, v / w, w }'
for f in "${files[@]:1}"; do
  awk -v t="${f#plus}" -v a="${best[$f]}" -v b="${best[person]}" 'BEGIN { printf "  one %s more per person: %+.0f ns a line of it\n", t, (a - b) * 1000 }'
done
awk -v b="${best[big]}" -v s="${best[sorted]}" -v m="${best[same]}" 'BEGIN {
  printf "  the 416 MB mix %.3fs; persons sorted by pattern %.3fs (%+.0f %%); one content per type %.3fs (%+.0f %%)\n", b, s, (s / b - 1) * 100, m, (m / b - 1) * 100 }'
