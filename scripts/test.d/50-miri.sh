#!/usr/bin/env bash
# Miri (nightly) runs the core's unit tests: undefined behaviour, out-of-bounds
# access and leaks in the no_std decoder. The integration tests decode many
# large inputs and take too long under Miri; the fuzz regressions and the C
# ABI tests under valgrind/ASan cover the rest. Two quick ones do run:
# * core/tests/records.rs (one line per record type, every field accessor;
#   about 30 s). Its `text()` helper leaks on purpose (`Box::leak` for
#   'static test values), so leaks are not checked there; the core itself
#   does not allocate.
# * the C ABI's Rust tests that take seconds (ffi/tests/abi.rs: a whole
#   decode through raw pointers, NULL and bad arguments, the panic boundary,
#   strict mode, findings at finish, statuses, layout tables, the filter
#   inside): the unsafe code
#   of eik_* itself, with leaks checked. The others need minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
abi_tests=(whole_sample_in_one_call bad_calls_return_statuses panic_is_caught_and_poisons
  strict_mode_stops_and_swallows_input stream_errors_and_finish_findings statuses_and_version layout_tables
  the_filter_runs_inside)

# Miri interprets on one core, so the runs go two at a time: records.rs (about
# 70 s) beside the core's lib tests and then the ABI tests (about 20 + 55 s),
# instead of all three one after the other (145 s; 2026-12-02). Compiled first,
# one cargo at a time (MIRIFLAGS only matter when the tests run).
cargo +nightly miri test -q -p eindkomst-core --lib --test records --no-run
cargo +nightly miri test -q -p eindkomst-ffi --test abi --no-run
logs=target/miri-logs
mkdir -p "$logs"
MIRIFLAGS="${MIRIFLAGS:-} -Zmiri-ignore-leaks" cargo +nightly miri test -q -p eindkomst-core --test records \
  >"$logs/records.log" 2>&1 &
records=$!
{ cargo +nightly miri test -q -p eindkomst-core --lib && cargo +nightly miri test -q -p eindkomst-ffi --test abi -- "${abi_tests[@]}"; } \
  >"$logs/lib-abi.log" 2>&1 &
lib_abi=$!
status=0
wait "$records" || status=$?
wait "$lib_abi" || status=$?
cat "$logs/lib-abi.log" "$logs/records.log"
exit "$status"
