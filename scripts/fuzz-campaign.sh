#!/usr/bin/env bash
# A fuzzing campaign (not part of CI): every fuzz target runs MINUTES (default
# 10) from all committed inputs, with its dictionary (fuzz/dict/), built as in
# CI (fuzz/common.sh: debug assertions, no ASan; ffi_calls inputs replayed
# under ASan). Afterwards each target's corpus is merged and minimised into
# fuzz/corpus/<target>/ (libFuzzer -set_cover_merge=1 -use_counters=0): a
# smallest set of inputs that reaches every edge the old corpus and everything
# found reached, minus what the seeds and regressions already reach (those stay
# where they are). Edges, not hit counts: the counts made the corpus six times
# larger for no new line of code; each run regrows them in its scratch copy. Last, a source coverage report of core/src over all committed inputs
# (cargo fuzz coverage + llvm-cov), the figures docs/bad-input.md quotes.
#
# Usage: scripts/fuzz-campaign.sh [MINUTES]   (JOBS=2 runs two targets at once;
#        RUNS=1000000 ends a target at that many executions if sooner)
# Prints per target: executions, exec/s, corpus before -> after (files, KiB),
# coverage edges at the start -> end (new), peak RSS, crashes. A crash stops
# nothing: it is listed at the end (minimise it with `cargo +nightly fuzz tmin
# -s none <target> <input>`, add it to fuzz/regressions/<target>/ with a README
# row) and the exit status is 1.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
source fuzz/common.sh

minutes="${1:-10}"
jobs="${JOBS:-1}"
max_runs="${RUNS:-1000000000}"
work=fuzz/target/campaign
rm -rf "$work"
mkdir -p "$work"
echo "campaign: ${minutes} min per target (or ${max_runs} executions), $jobs at a time; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

fuzz_build

# One target: fuzz, then merge into a fresh minimal corpus.
campaign() {
  local t="$1" w="$work/$1" d
  mkdir -p "$w/found" "$w/artifacts" "$w/known" "$w/merged"
  for d in $(fuzz_inputs "$t"); do find "$d" -type f ! -name '*.md' -exec cp {} "$w/found/" \;; done
  mkdir -p "fuzz/corpus/$t"
  fuzz_size "fuzz/corpus/$t" >"$w/corpus_before"
  # libFuzzer stops at a crash: go on with the time left (the crashing input
  # is in artifacts/, not in the corpus, so it does not stop the next run).
  local end=$((SECONDS + minutes * 60)) run=0 done_runs=0 n
  while [ $((end - SECONDS)) -gt 0 ] && [ "$done_runs" -lt "$max_runs" ]; do
    run=$((run + 1))
    # shellcheck disable=SC2046 # fuzz_opts gives words without spaces
    "$FUZZ_BIN/$t" "$w/found" $(fuzz_opts "$t") -max_total_time=$((end - SECONDS)) -runs=$((max_runs - done_runs)) \
      "${FUZZ_LIMITS[@]}" -print_final_stats=1 -artifact_prefix="$w/artifacts/" >"$w/fuzz.$run.log" 2>&1 || true
    n=$(fuzz_stat "$w/fuzz.$run.log" number_of_executed_units)
    done_runs=$((done_runs + ${n:-0}))
  done
  echo $((SECONDS - end + minutes * 60 > 0 ? SECONDS - end + minutes * 60 : 1)) >"$w/seconds"
  # Merge: start from the seeds and regressions, add only inputs that bring
  # coverage beyond them, then drop them again (they are committed elsewhere).
  for d in fuzz/seeds/"$t" fuzz/regressions/"$t"; do
    [ -d "$d" ] && find "$d" -type f ! -name '*.md' -exec cp {} "$w/known/" \;
  done
  cp "$w/known/." "$w/merged/" -r
  "$FUZZ_BIN/$t" -set_cover_merge=1 -use_counters=0 "${FUZZ_LIMITS[@]}" "$w/merged" "$w/found" >"$w/merge.log" 2>&1
  (cd "$w/known" && find . -type f -exec rm -f "../merged/{}" \;)
  touch "$w/done"
}

running=0
for t in "${FUZZ_TARGETS[@]}"; do
  campaign "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait || true

# Into the repository (only what merged completely).
for t in "${FUZZ_TARGETS[@]}"; do
  [ -f "$work/$t/done" ] || { echo "$t: campaign did not finish; see $work/$t/*.log" >&2; exit 1; }
  rm -rf "fuzz/corpus/$t"
  mkdir -p "fuzz/corpus/$t"
  cp "$work/$t/merged/." "fuzz/corpus/$t/" -r
done

status=0
echo
printf '%-13s %12s %8s %22s %18s %8s %8s\n' target executions exec/s "corpus files (KiB)" "edges (new)" "RSS MB" crashes
for t in "${FUZZ_TARGETS[@]}"; do
  logs=("$work/$t"/fuzz.*.log)
  execs=0
  for l in "${logs[@]}"; do
    n=$(fuzz_stat "$l" number_of_executed_units)
    execs=$((execs + ${n:-0}))
  done
  read -r cov0 _ <<<"$(fuzz_cov "${logs[0]}" INITED)"
  read -r cov1 _ <<<"$(fuzz_cov "${logs[-1]}" '[A-Z]+')"
  crashes=$(find "$work/$t/artifacts" -type f | wc -l)
  [ "$crashes" -eq 0 ] || status=1
  printf '%-13s %12s %8s %22s %18s %8s %8s\n' "$t" "$execs" "$((execs / $(cat "$work/$t/seconds")))" \
    "$(cat "$work/$t/corpus_before") -> $(fuzz_size "fuzz/corpus/$t")" \
    "${cov0:-?} -> ${cov1:-?} (+$((${cov1:-0} - ${cov0:-0})))" \
    "$(for l in "${logs[@]}"; do fuzz_stat "$l" peak_rss_mb; done | sort -n | tail -n 1)" "$crashes"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# shellcheck disable=SC2046 # one word per directory
fuzz_asan_replay "$work/ffi_calls-asan.log" $(fuzz_inputs ffi_calls) || status=1

scripts/fuzz-coverage.sh || status=1

for t in "${FUZZ_TARGETS[@]}"; do
  for f in "$work/$t/artifacts"/*; do
    [ -f "$f" ] && echo "CRASH $t: $f ($(wc -c <"$f") bytes); see $work/$t/fuzz.log" >&2
  done
done
exit "$status"
