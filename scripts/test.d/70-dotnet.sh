#!/usr/bin/env bash
# C# binding (bindings/dotnet) on Mono: build with mcs, run the test program
# (sample values, damaged input, life cycle, CLI --raw differential on the
# sample, a damaged generated file and the ~100 MB generated file, with
# throughput), and the README example.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"

target="${CARGO_TARGET_DIR:-target}"
[ "$target" = target ] || { echo "70-dotnet: the build reads target/release; unset CARGO_TARGET_DIR" >&2; exit 1; }

# 1. The native library and the CLI the tests compare with.
cargo build -q --release -p eindkomst-ffi -p eindkomst-cli

# 2. The generated ~100 MB file (deterministic; shared with 71-java.sh).
big="$target/bindings-100mb.txt"
if [ ! -s "$big" ]; then
  "$target/release/eindkomst" generate --records 2100000 --seed 7 -o "$big.tmp"
  mv "$big.tmp" "$big"
fi

# 3. Build with mcs (library, test program, README example).
bash bindings/dotnet/build.sh target/dotnet

# 4. The tests. No LD_LIBRARY_PATH: Mono finds libeindkomst.so next to Eindkomst.dll.
log="$target/dotnet/test.log"
env -u LD_LIBRARY_PATH EINDKOMST_BIG_FILE="$PWD/$big" mono target/dotnet/TestRunner.exe "$PWD" | tee "$log"
grep -q '^[0-9][0-9]* passed, 0 failed$' "$log"
grep -q '^ok - 100 MB file equals the CLI' "$log" \
  || { echo "70-dotnet: the 100 MB comparison did not run" >&2; exit 1; }

# 5. The README example.
out=$(cd target/dotnet && env -u LD_LIBRARY_PATH LC_ALL=C.UTF-8 mono Example.exe "$OLDPWD/testdata/sample.txt")
[ "$out" = "27 records, 6001 total 6906950 øre" ] \
  || { echo "70-dotnet: README example printed: $out" >&2; exit 1; }
echo "dotnet: README example: $out"
