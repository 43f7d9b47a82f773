#!/usr/bin/env bash
# C ABI: header drift check, Rust ABI tests, C example and C tests (gcc
# -std=c11 -Werror; the header's _Static_asserts need C11) under valgrind
# (zero errors, zero leaks) and under ASan+UBSan.
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

# 2. The C tests and the example, strict C11, against the committed header.
#    Linked statically against libeindkomst.a, so no LD_LIBRARY_PATH is needed
#    and valgrind sees one binary.
cflags=(-std=c11 -Wall -Wextra -Werror -pedantic -g -O1 -Iinclude)
libs=("$target/debug/libeindkomst.a" -lpthread -ldl -lm)
tests=(test_eindkomst test_filter test_bad_input test_family)
for t in "${tests[@]}" example; do
  gcc "${cflags[@]}" "bindings/c/$t.c" "${libs[@]}" -o "$out/$t"
done
# The shared library links too (what hosts load), and the header compiles as C++.
gcc "${cflags[@]}" bindings/c/example.c -L"$target/debug" -leindkomst -o "$out/example_shared"
g++ -std=c++11 -Wall -Werror -Iinclude -x c++ -fsyntax-only - <<<'#include "eindkomst.h"'

# 3. The example prints the sample; the CPR numbers in it must not appear.
"$out/example" testdata/sample.txt >"$out/example.txt"
grep -q '^lines 27, decoded 27, rejected 0, warnings 0, errors 0$' "$out/example.txt"
grep -q 'Feltnummer=0013  Beloeb=0000032500000000+' "$out/example.txt"
if grep -qE '[0-9]{6}-?[0-9]{4}' <(grep -o 'CPR[A-Za-z_]*=[^ ]*' "$out/example.txt"); then
  echo "example printed a CPR number" >&2
  exit 1
fi
LD_LIBRARY_PATH="$target/debug" "$out/example_shared" testdata/sample.txt | cmp - "$out/example.txt"
# ... and a loaded family.
"$out/example" testdata/families/demo.txt --family testdata/families/demo.json >"$out/example-demo.txt"
grep -q '^lines 10, decoded 10, rejected 0, warnings 0, errors 0$' "$out/example-demo.txt"

# 4. The C tests under valgrind: any error or leak (of any kind) fails. A
#    family loaded from JSON lives for the process by design (test_family):
#    there "still reachable" is allowed, nothing else.
#    RUST_BACKTRACE=0: the forced-panic test would otherwise resolve a backtrace.
for t in "${tests[@]}"; do
  arg=testdata/sample.txt kinds=all
  [ "$t" = test_family ] && arg=testdata/families kinds=definite,indirect,possible
  RUST_BACKTRACE=0 valgrind --error-exitcode=1 --leak-check=full --show-leak-kinds=all \
    --errors-for-leak-kinds="$kinds" --log-file="$out/valgrind-$t.log" \
    "$out/$t" "$arg" >"$out/valgrind-$t.tap" 2>/dev/null \
    || { cat "$out/valgrind-$t.tap" "$out/valgrind-$t.log"; echo "$t failed under valgrind" >&2; exit 1; }
  grep -q '^[0-9]* passed, 0 failed$' "$out/valgrind-$t.tap"
  echo "valgrind ($t): $(tail -1 "$out/valgrind-$t.tap");" \
    "$(grep -oE 'ERROR SUMMARY: [0-9]+ errors|All heap blocks were freed|definitely lost: [0-9,]+ bytes' "$out/valgrind-$t.log" | paste -sd ';')"
done

# 5. ASan + UBSan build of the C side (the Rust side is checked by valgrind above).
for t in "${tests[@]}"; do
  arg=testdata/sample.txt
  [ "$t" = test_family ] && arg=testdata/families
  gcc "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer \
    "bindings/c/$t.c" "${libs[@]}" -o "$out/${t}_asan"
  RUST_BACKTRACE=0 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
    "$out/${t}_asan" "$arg" >"$out/asan-$t.tap" 2>/dev/null \
    || { cat "$out/asan-$t.tap"; echo "$t failed under ASan/UBSan" >&2; exit 1; }
  echo "asan+ubsan ($t): $(tail -1 "$out/asan-$t.tap")"
done
