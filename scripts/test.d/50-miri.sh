#!/usr/bin/env bash
# Miri (nightly) runs the core's unit tests: undefined behaviour, out-of-bounds
# access and leaks in the no_std decoder. The integration tests decode many
# large inputs and take too long under Miri; the fuzz regressions and the C
# ABI tests under valgrind/ASan cover the rest.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo +nightly miri test -q -p eindkomst-core --lib
