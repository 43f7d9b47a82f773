#!/usr/bin/env bash
# Fuzzing, short and bounded: every cargo-fuzz target (fuzz/fuzz_targets) runs
# for FUZZ_SECONDS (default 8: the committed campaign corpus already holds
# what longer runs found, so CI only looks a little further; 30 s per target,
# one after the other, made this part 342 s), FUZZ_JOBS (default 2) at a time,
# from its committed inputs (seeds, the minimised
# campaign corpus fuzz/corpus/, regressions) with its dictionary,
# built with debug assertions and without ASan (why: fuzz/common.sh). Any
# crash, failed check, input slower than 10 s or RSS above 512 MB fails. The
# inputs are copied into a scratch corpus, so the committed ones never grow.
# Then every ffi_calls input (committed and found) is replayed through an ASan
# + LeakSanitizer build of ffi_calls. One summary line per target, from
# libFuzzer's final stats; every target runs even when one fails. Last, the
# stable replay of all committed inputs (fuzz/tests/regressions.rs), with fmt
# and clippy of the fuzz workspace (the root workspace excludes it).
# Long runs that grow fuzz/corpus/: scripts/fuzz-campaign.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
source fuzz/common.sh

seconds="${FUZZ_SECONDS:-8}"

fuzz_build
work="fuzz/target/ci"
rm -rf "$work"
mkdir -p "$work"

# One target: its summary line in $work/<t>.summary, and $work/<t>.failed when it failed.
fuzz_one() {
  local t="$1" log="$work/$1.log" status=0 before execs crashes cov0 cov1 d f
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
  for d in $(fuzz_inputs "$t"); do find "$d" -type f ! -name '*.md' -exec cp {} "$work/corpus/$t/" \;; done
  before=$(ls "$work/corpus/$t" | wc -l)
  # shellcheck disable=SC2046 # fuzz_opts gives words without spaces
  "$FUZZ_BIN/$t" "$work/corpus/$t" $(fuzz_opts "$t") -max_total_time="$seconds" "${FUZZ_LIMITS[@]}" \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/$t/" >"$log" 2>&1 || status=$?
  execs="$(fuzz_stat "$log" number_of_executed_units)"
  crashes="$(find "$work/artifacts/$t" -type f | wc -l)"
  read -r cov0 _ <<<"$(fuzz_cov "$log" INITED)"
  read -r cov1 _ <<<"$(fuzz_cov "$log" DONE)"
  echo "fuzz $t: ${execs:-0} executions in ${seconds}s ($(fuzz_stat "$log" average_exec_per_sec) exec/s)," \
    "corpus $before -> $(ls "$work/corpus/$t" | wc -l), edges ${cov0:-?} -> ${cov1:-?}," \
    "peak RSS $(fuzz_stat "$log" peak_rss_mb) MB, $crashes crashes, exit $status" >"$work/$t.summary"
  if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ] || [ "${execs:-0}" -eq 0 ]; then
    {
      grep -m1 -A4 -E 'panicked|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)' "$log" || tail -n 30 "$log"
      for f in "$work/artifacts/$t"/*; do
        [ -f "$f" ] && echo "  input: $f ($(wc -c <"$f") bytes)"
      done
    } >"$work/$t.failed"
  fi
  return 0
}

# FUZZ_JOBS targets at a time (default 2, the CI machine's cores): each runs its full time on a core of its own.
running=0
for t in "${FUZZ_TARGETS[@]}"; do
  [ -d "fuzz/seeds/$t" ] || { echo "no seeds for $t" >&2; exit 1; }
  fuzz_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "${FUZZ_JOBS:-2}" ]; then wait -n; running=$((running - 1)); fi
done
wait
failed=()
for t in "${FUZZ_TARGETS[@]}"; do
  cat "$work/$t.summary"
  if [ -f "$work/$t.failed" ]; then
    cat "$work/$t.failed" >&2
    failed+=("$t")
  fi
done

fuzz_asan_replay "$work/ffi_calls-asan.log" "$work/corpus/ffi_calls" || failed+=("ffi_calls (ASan)")

(cd fuzz && cargo fmt -- --check && cargo clippy -q --all-targets -- -D warnings && cargo test -q)

if [ "${#failed[@]}" -ne 0 ]; then
  echo "fuzz targets failed: ${failed[*]}; minimize (cargo +nightly fuzz tmin -s none <target> <input>)," \
    "add to fuzz/regressions/<target>/ with a README row" >&2
  exit 1
fi
