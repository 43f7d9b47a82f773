#!/usr/bin/env bash
# Fuzzing: every cargo-fuzz target (fuzz/fuzz_targets) runs for a bounded time
# from its committed seeds (FUZZ_SECONDS each, default 45), built with ASan and
# debug assertions. Any crash, failed check, leak (LeakSanitizer), input slower
# than 10 s (-timeout) or RSS above 2 GB (-rss_limit_mb) fails. The seeds are
# copied into a scratch corpus, so the committed ones never grow. One summary
# line per target, from libFuzzer's final stats. Then the stable replay of the
# seeds and the minimized crashers (fuzz/tests/regressions.rs), fmt and clippy
# of the fuzz workspace (the root workspace excludes it).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"

seconds="${FUZZ_SECONDS:-45}"
targets=(decode_raw decode_split roundtrip base64 ffi_calls)

(cd fuzz && cargo fmt -- --check && cargo clippy -q --all-targets -- -D warnings && cargo test -q)

(cd fuzz && cargo +nightly fuzz build -O -a)
bin="fuzz/target/x86_64-unknown-linux-gnu/release"
work="fuzz/target/ci"
rm -rf "$work"
mkdir -p "$work"

summary=()
for t in "${targets[@]}"; do
  [ -d "fuzz/seeds/$t" ] || { echo "no seeds for $t" >&2; exit 1; }
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
  cp fuzz/seeds/"$t"/* "$work/corpus/$t/"
  log="$work/$t.log"
  if ! "$bin/$t" "$work/corpus/$t" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$work/artifacts/$t/" >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz target $t failed; crash input(s):" "$work"/artifacts/"$t"/* >&2
    echo "minimize it (cargo +nightly fuzz tmin $t <file>), add it to fuzz/regressions/$t/ with a README row" >&2
    exit 1
  fi
  if [ -n "$(ls -A "$work/artifacts/$t")" ]; then
    echo "fuzz target $t left artifacts:" "$work"/artifacts/"$t"/* >&2
    exit 1
  fi
  final_stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
  execs="$(final_stat number_of_executed_units)"
  rate="$(final_stat average_exec_per_sec)"
  [ -n "$execs" ] && [ "$execs" -gt 0 ] || { tail -20 "$log"; echo "no stats from $t" >&2; exit 1; }
  line="fuzz $t: $execs executions in ${seconds}s ($rate exec/s), corpus $(ls fuzz/seeds/"$t" | wc -l) -> $(ls "$work/corpus/$t" | wc -l), peak RSS $(final_stat peak_rss_mb) MB, 0 crashes"
  echo "$line"
  summary+=("$line")
done
printf '%s\n' "${summary[@]}" >"$work/summary.txt"
