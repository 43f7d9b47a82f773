#!/usr/bin/env bash
# Does comparison tracing pay for its cost? (Not part of CI; the measurement behind `--no-trace-compares`
# in fuzz/common.sh, table in docs/bad-input.md.) Each target is fuzzed from its seeds alone, with its
# dictionary and the same -seed, for SECS seconds by the CI build (without comparison tracing) and by a
# build with it (cargo-fuzz's default, built here into fuzz/target/traced), side by side: one core each,
# so both meet the same load. Then both corpora are replayed through the traced build (-runs=0), so one
# binary counts the edges (cov) and features (ft) each reached.
#
# Usage: SECS=180 TARGETS="decode_raw decode_split" SEEDS="1 2" scripts/fuzz-tracecmp.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
source fuzz/common.sh

secs=${SECS:-180}
plain=$FUZZ_BIN
traced=fuzz/target/traced/x86_64-unknown-linux-gnu/release
fuzz_build
(cd fuzz && cargo +nightly fuzz build -O -a -s none --target-dir target/traced)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '%-13s %5s %-8s %10s %8s %6s %7s\n' target seed build execs exec/s cov ft
for t in ${TARGETS:-${FUZZ_TARGETS[*]}}; do
  for seed in ${SEEDS:-1}; do
    for b in traced plain; do
      mkdir -p "$work/$t.$seed.$b"
      cp fuzz/seeds/"$t"/* "$work/$t.$seed.$b/"
      bin=$traced
      [ "$b" = plain ] && bin=$plain
      # shellcheck disable=SC2046 # fuzz_opts gives words without spaces
      "$bin/$t" "$work/$t.$seed.$b" $(fuzz_opts "$t") -seed="$seed" -max_total_time="$secs" "${FUZZ_LIMITS[@]}" \
        -print_final_stats=1 >"$work/$t.$seed.$b.log" 2>&1 &
    done
    wait
    for b in traced plain; do
      "$traced/$t" -runs=0 "$work/$t.$seed.$b" >"$work/$t.$seed.$b.replay" 2>&1 || true
      read -r cov ft < <(fuzz_cov "$work/$t.$seed.$b.replay" INITED)
      execs=$(fuzz_stat "$work/$t.$seed.$b.log" number_of_executed_units)
      printf '%-13s %5s %-8s %10s %8s %6s %7s\n' "$t" "$seed" "$b" "$execs" $((execs / secs)) "$cov" "$ft"
    done
  done
done
