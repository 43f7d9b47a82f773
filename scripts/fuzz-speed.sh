#!/usr/bin/env bash
# Executions per second of the fuzz targets, the same work for every build:
# each target runs RUNS (default 30000) executions from a scratch copy of its
# seeds with a fixed -seed and no dictionary. Prints per target and build: exec/s
# by the clock, exec per CPU second (user + sys: what an idle core would do,
# less sensitive to other load on a shared machine), peak RSS, and the load
# average at the start. Not part of CI.
#
# Usage: scripts/fuzz-speed.sh [BIN_DIR...]   (default: the CI build, fuzz/common.sh)
# e.g. the build before issue 19 against now:
#   git worktree add /tmp/before 195084c && (cd /tmp/before/fuzz && cargo +nightly fuzz build -O -a)
#   scripts/fuzz-speed.sh /tmp/before/fuzz/target/x86_64-unknown-linux-gnu/release fuzz/target/x86_64-unknown-linux-gnu/release
# (ffi_calls of the current build also runs under ASan: fuzz/target/asan/...)
set -euo pipefail
cd "$(dirname "$0")/.."
source fuzz/common.sh

runs="${RUNS:-30000}"
[ $# -gt 0 ] || set -- "$FUZZ_BIN"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '%-13s %-70s %9s %12s %7s %5s\n' target build exec/s exec/cpu-s "RSS MB" load
for t in "${FUZZ_TARGETS[@]}"; do
  for bin in "$@"; do
    [ -x "$bin/$t" ] || continue
    rm -rf "$work/corpus"
    mkdir -p "$work/corpus"
    cp fuzz/seeds/"$t"/* "$work/corpus/"
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -f '%U %S %e %M' -o "$work/time" "$bin/$t" "$work/corpus" -runs="$runs" -seed=1 \
      -rss_limit_mb=4096 -print_final_stats=1 >"$work/log" 2>&1 || { tail -n 20 "$work/log" >&2; exit 1; }
    read -r user sys wall rss <"$work/time"
    execs=$(fuzz_stat "$work/log" number_of_executed_units)
    awk -v t="$t" -v b="$bin" -v e="$execs" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v l="$load" \
      'BEGIN { printf "%-13s %-70s %9.0f %12.0f %7d %5s\n", t, b, e / w, e / (u + s), r / 1024, l }'
  done
done
