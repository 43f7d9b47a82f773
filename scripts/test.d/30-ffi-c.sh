#!/usr/bin/env bash
# C ABI: header drift check, Rust ABI tests, C example and C tests (gcc -Werror)
# under valgrind (zero errors, zero leaks) and under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"

target="${CARGO_TARGET_DIR:-target}"
out="$target/c-tests"
mkdir -p "$out"

# 1. The library (debug: symbols for valgrind's reports) and the Rust tests,
#    among them the header drift and version checks (they run cbindgen).
cargo build -q -p eindkomst-ffi
cargo test -q -p eindkomst-ffi

# 2. The C test and the example, strict C99, against the committed header.
#    Linked statically against libeindkomst.a, so no LD_LIBRARY_PATH is needed
#    and valgrind sees one binary.
cflags=(-std=c99 -Wall -Wextra -Werror -pedantic -g -O1 -Iinclude)
libs=("$target/debug/libeindkomst.a" -lpthread -ldl -lm)
gcc "${cflags[@]}" bindings/c/test_eindkomst.c "${libs[@]}" -o "$out/test_eindkomst"
gcc "${cflags[@]}" bindings/c/example.c "${libs[@]}" -o "$out/example"
gcc "${cflags[@]}" bindings/c/test_filter.c "${libs[@]}" -o "$out/test_filter"
gcc "${cflags[@]}" bindings/c/test_bad_input.c "${libs[@]}" -o "$out/test_bad_input"
# The shared library links too (what hosts load).
gcc "${cflags[@]}" bindings/c/example.c -L"$target/debug" -leindkomst -o "$out/example_shared"

# 3. The example prints the sample; the CPR numbers in it must not appear.
"$out/example" testdata/sample.txt >"$out/example.txt"
grep -q '^lines 27, decoded 27, rejected 0, warnings 0, errors 0$' "$out/example.txt"
grep -q 'Feltnummer=0013  Beloeb=0000032500000000+' "$out/example.txt"
if grep -qE '[0-9]{6}-?[0-9]{4}' <(grep -o 'CPR[A-Za-z_]*=[^ ]*' "$out/example.txt"); then
  echo "example printed a CPR number" >&2
  exit 1
fi
LD_LIBRARY_PATH="$target/debug" "$out/example_shared" testdata/sample.txt | cmp - "$out/example.txt"

# 4. The C tests under valgrind: any error or leak (of any kind) fails.
#    RUST_BACKTRACE=0: the forced-panic test would otherwise resolve a backtrace.
RUST_BACKTRACE=0 valgrind --error-exitcode=1 --leak-check=full --show-leak-kinds=all \
  --errors-for-leak-kinds=all --log-file="$out/valgrind.log" \
  "$out/test_eindkomst" testdata/sample.txt >"$out/valgrind.tap" \
  || { cat "$out/valgrind.tap" "$out/valgrind.log"; echo "C tests failed under valgrind" >&2; exit 1; }
grep -q '^[0-9]* passed, 0 failed$' "$out/valgrind.tap"
echo "valgrind: $(tail -1 "$out/valgrind.tap");" \
  "$(grep -oE 'ERROR SUMMARY: [0-9]+ errors|All heap blocks were freed' "$out/valgrind.log" | paste -sd ';')"
# The filter's C tests (eik_filter_*), same rules.
RUST_BACKTRACE=0 valgrind --error-exitcode=1 --leak-check=full --show-leak-kinds=all \
  --errors-for-leak-kinds=all --log-file="$out/valgrind-filter.log" \
  "$out/test_filter" testdata/sample.txt >"$out/valgrind-filter.tap" \
  || { cat "$out/valgrind-filter.tap" "$out/valgrind-filter.log"; echo "filter C tests failed under valgrind" >&2; exit 1; }
grep -q '^[0-9]* passed, 0 failed$' "$out/valgrind-filter.tap"
echo "valgrind (filter): $(tail -1 "$out/valgrind-filter.tap")"
# Bad input (docs/bad-input.md) through the C API, same rules.
RUST_BACKTRACE=0 valgrind --error-exitcode=1 --leak-check=full --show-leak-kinds=all \
  --errors-for-leak-kinds=all --log-file="$out/valgrind-bad-input.log" \
  "$out/test_bad_input" testdata/sample.txt >"$out/valgrind-bad-input.tap" \
  || { cat "$out/valgrind-bad-input.tap" "$out/valgrind-bad-input.log"; echo "bad-input C tests failed under valgrind" >&2; exit 1; }
grep -q '^[0-9]* passed, 0 failed$' "$out/valgrind-bad-input.tap"
echo "valgrind (bad input): $(tail -1 "$out/valgrind-bad-input.tap")"

# 5. ASan + UBSan build of the C side (the Rust side is checked by valgrind above).
gcc "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer \
  bindings/c/test_eindkomst.c "${libs[@]}" -o "$out/test_eindkomst_asan"
RUST_BACKTRACE=0 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
  "$out/test_eindkomst_asan" testdata/sample.txt >"$out/asan.tap" \
  || { cat "$out/asan.tap"; echo "C tests failed under ASan/UBSan" >&2; exit 1; }
echo "asan+ubsan: $(tail -1 "$out/asan.tap")"
gcc "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer \
  bindings/c/test_filter.c "${libs[@]}" -o "$out/test_filter_asan"
RUST_BACKTRACE=0 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
  "$out/test_filter_asan" testdata/sample.txt >"$out/asan-filter.tap" \
  || { cat "$out/asan-filter.tap"; echo "filter C tests failed under ASan/UBSan" >&2; exit 1; }
echo "asan+ubsan (filter): $(tail -1 "$out/asan-filter.tap")"
gcc "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer \
  bindings/c/test_bad_input.c "${libs[@]}" -o "$out/test_bad_input_asan"
RUST_BACKTRACE=0 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
  "$out/test_bad_input_asan" testdata/sample.txt >"$out/asan-bad-input.tap" \
  || { cat "$out/asan-bad-input.tap"; echo "bad-input C tests failed under ASan/UBSan" >&2; exit 1; }
echo "asan+ubsan (bad input): $(tail -1 "$out/asan-bad-input.tap")"
