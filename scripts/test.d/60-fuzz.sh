#!/usr/bin/env bash
# Fuzzing: every cargo-fuzz target (fuzz/fuzz_targets) runs for a bounded time
# from its committed seeds (FUZZ_SECONDS each, default 45), built with ASan and
# debug assertions. Any crash, failed check, leak (LeakSanitizer), input slower
# than 10 s (-timeout) or RSS above 2 GB (-rss_limit_mb) fails. The seeds are
# copied into a scratch corpus, so the committed ones never grow. One summary
# line per target, from libFuzzer's final stats; every target runs even when
# one fails. Then the stable replay of the seeds and of the minimized crashers
# (fuzz/tests/regressions.rs), with fmt and clippy of the fuzz workspace (the
# root workspace excludes it).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"

seconds="${FUZZ_SECONDS:-45}"
targets=(decode_raw decode_split roundtrip base64 ffi_calls)

(cd fuzz && cargo +nightly fuzz build -O -a)
bin="fuzz/target/x86_64-unknown-linux-gnu/release"
work="fuzz/target/ci"
rm -rf "$work"
mkdir -p "$work"

final_stat() { sed -n "s/^stat::$2: *//p" "$1" | tail -n 1; }

failed=()
for t in "${targets[@]}"; do
  [ -d "fuzz/seeds/$t" ] || { echo "no seeds for $t" >&2; exit 1; }
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
  cp fuzz/seeds/"$t"/* "$work/corpus/$t/"
  log="$work/$t.log"
  status=0
  "$bin/$t" "$work/corpus/$t" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/$t/" >"$log" 2>&1 || status=$?
  execs="$(final_stat "$log" number_of_executed_units)"
  crashes="$(find "$work/artifacts/$t" -type f | wc -l)"
  echo "fuzz $t: ${execs:-0} executions in ${seconds}s ($(final_stat "$log" average_exec_per_sec) exec/s)," \
    "corpus $(ls fuzz/seeds/"$t" | wc -l) -> $(ls "$work/corpus/$t" | wc -l)," \
    "peak RSS $(final_stat "$log" peak_rss_mb) MB, $crashes crashes, exit $status"
  if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ] || [ "${execs:-0}" -eq 0 ]; then
    grep -m1 -A4 -E 'panicked|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)' "$log" >&2 || tail -n 30 "$log" >&2
    for f in "$work/artifacts/$t"/*; do
      [ -f "$f" ] && echo "  input: $f ($(wc -c <"$f") bytes)" >&2
    done
    failed+=("$t")
  fi
done

(cd fuzz && cargo fmt -- --check && cargo clippy -q --all-targets -- -D warnings && cargo test -q)

if [ "${#failed[@]}" -ne 0 ]; then
  echo "fuzz targets failed: ${failed[*]}; minimize (cargo +nightly fuzz tmin <target> <input>)," \
    "add to fuzz/regressions/<target>/ with a README row" >&2
  exit 1
fi
