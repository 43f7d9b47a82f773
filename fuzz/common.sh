# How the fuzz targets are built and run: sourced (from the repository root) by
# scripts/test.d/60-fuzz.sh (the short CI run) and scripts/fuzz-campaign.sh.
#
# Sanitizers: the targets run without AddressSanitizer, with debug assertions
# (overflow checks). The core is `#![forbid(unsafe_code)]` and the harness
# `#![deny(unsafe_code)]` except the ffi_calls module, so in safe code a wrong
# index is a panic that libFuzzer reports anyway; ASan there only cost time
# (4x per execution) and memory (its 256 MB quarantine: the 470 MB peak RSS).
# The C ABI (ffi/) is unsafe code: every ffi_calls input the fuzzer keeps, and
# every seed and regression, is replayed through a second build of ffi_calls
# with ASan and LeakSanitizer (fuzz_asan_replay).

FUZZ_TARGETS=(decode_raw decode_split roundtrip base64 ffi_calls filter_spec family_json)
FUZZ_BIN=fuzz/target/x86_64-unknown-linux-gnu/release
FUZZ_ASAN_BIN=fuzz/target/asan/x86_64-unknown-linux-gnu/release
# A small quarantine still finds use-after-free of recent frees; the default
# 256 MB one fills up and stays resident.
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=16}"
# Limits: an input slower than 10 s is a hang; the decoder does not allocate
# and no execution needs more than a few MB, so 512 MB RSS is a leak or a blow-up.
FUZZ_LIMITS=(-timeout=10 -rss_limit_mb=512)

# Comparison tracing (cargo-fuzz's default -sanitizer-coverage-trace-compares)
# is off: it was half of every execution, and side by side from the same seeds
# and dictionaries (2026-12-02, 150-180 s per target and build, one core each)
# the builds without it ran twice the executions and reached at least the same
# edges and more features in every target (docs/bad-input.md, "Fuzzing"). The
# dictionaries give the values the comparisons would have.
fuzz_build() {
  (cd fuzz && cargo +nightly fuzz build -O -a -s none --no-trace-compares)
  (cd fuzz && cargo +nightly fuzz build -O -a --no-trace-compares --target-dir target/asan ffi_calls)
}

# A target's own libFuzzer options: its dictionary (roundtrip's bytes are
# model choices, not text), and for family_json a length limit: the employer
# family is 90 KB, and mutants of it in the corpus made every execution parse
# that much (employer-small.json, 9 KB, is the seed the fuzzer grows from; the
# whole file still runs in the replay).
fuzz_opts() {
  case "$1" in
    base64) echo "-dict=fuzz/dict/base64.dict" ;;
    filter_spec) echo "-dict=fuzz/dict/filter.dict" ;;
    family_json) echo "-dict=fuzz/dict/family.dict -max_len=12288" ;;
    roundtrip) ;;
    *) echo "-dict=fuzz/dict/records.dict" ;;
  esac
}

# The committed inputs of a target: seeds, campaign corpus, regressions.
fuzz_inputs() {
  local d
  for d in fuzz/seeds/"$1" fuzz/corpus/"$1" fuzz/regressions/"$1"; do
    [ -d "$d" ] && echo "$d"
  done
  return 0
}

# The last value of a libFuzzer final stat (-print_final_stats=1) in a log.
fuzz_stat() { sed -n "s/^stat::$2: *//p" "$1" | tail -n 1; }

# Edges and features after loading the corpus ("INITED") and at the end ("DONE").
fuzz_cov() { grep -E "^#[0-9]+[[:space:]]+$2 " "$1" | tail -n 1 | sed -E 's/.* cov: ([0-9]+) ft: ([0-9]+).*/\1 \2/'; }

# Files and KiB (contents, not disk blocks) of a corpus directory.
fuzz_size() { find "$1" -type f -printf '%s\n' | awk '{ n++; s += $1 } END { printf "%d (%d)", n, (s + 1023) / 1024 }'; }

# Runs every given corpus input once through the ASan build of ffi_calls.
# Usage: fuzz_asan_replay LOG DIR...
fuzz_asan_replay() {
  local log="$1"
  shift
  local files
  files=$(find "$@" -type f ! -name '*.md' | wc -l)
  "$FUZZ_ASAN_BIN/ffi_calls" -runs=0 "${FUZZ_LIMITS[@]}" "$@" >"$log" 2>&1 || {
    grep -m1 -A8 -E 'panicked|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)' "$log" >&2 || tail -n 30 "$log" >&2
    return 1
  }
  echo "ffi_calls under ASan: $files inputs replayed, peak RSS $(sed -nE 's/.*rss: ([0-9]+Mb).*/\1/p' "$log" | tail -n 1)"
}
