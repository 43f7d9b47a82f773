#!/usr/bin/env bash
# Source coverage of core/src by the committed fuzz inputs (seeds, the
# campaign corpus fuzz/corpus/, regressions) of every fuzz target: cargo fuzz
# coverage (-Cinstrument-coverage) per target, the profiles merged, one
# llvm-cov report of core/src/*.rs and core/src/decoder/*.rs over all target binaries. Not part of CI;
# scripts/fuzz-campaign.sh runs it at its end. Installs the nightly
# llvm-tools component if missing. Output: the per-file table, and
# fuzz/coverage/core.txt (the same table, for docs/bad-input.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
source fuzz/common.sh

rustup component list --toolchain nightly --installed | grep -q '^llvm-tools' ||
  rustup component add --toolchain nightly llvm-tools-preview
llvm="$(rustc +nightly --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin"
cov_bin=fuzz/target/x86_64-unknown-linux-gnu/coverage/x86_64-unknown-linux-gnu/release

mkdir -p fuzz/coverage
objects=()
profiles=()
for t in "${FUZZ_TARGETS[@]}"; do
  # shellcheck disable=SC2046 # one word per directory; paths relative to fuzz/
  (cd fuzz && cargo +nightly fuzz coverage -s none "$t" $(cd .. && fuzz_inputs "$t" | sed 's|^fuzz/||')) \
    >"fuzz/coverage/$t.log" 2>&1 || { mkdir -p fuzz/coverage && tail -n 20 "fuzz/coverage/$t.log" >&2; exit 1; }
  objects+=(-object "$cov_bin/$t")
  profiles+=("fuzz/coverage/$t/coverage.profdata")
done
"$llvm/llvm-profdata" merge -sparse "${profiles[@]}" -o fuzz/coverage/all.profdata
# The decoder's own directory too (core/src/*.rs alone left the decoder out once it became core/src/decoder/).
"$llvm/llvm-cov" report -instr-profile=fuzz/coverage/all.profdata "${objects[@]:1}" "$PWD"/core/src/*.rs "$PWD"/core/src/decoder/*.rs |
  sed "s|$PWD/||" | tee fuzz/coverage/core.txt
