#!/usr/bin/env bash
# WASM npm package: build (wasm32 + wasm-bindgen + wasm-opt), node tests
# (values, CLI differential, streaming, errors, packaging), and the viewer in
# a real headless Chromium driven by playwright-core. First the core's unit
# tests as wasm32-wasip1 with simd128 under Node's WASI, so the Wasm SIMD
# twin in core/src/simd.rs is checked against the scalar one byte by byte
# (the package is built with simd128 too).
set -euo pipefail
cd "$(dirname "$0")/../../wasm"
export PATH="$HOME/.cargo/bin:$PATH"

CARGO_TARGET_WASM32_WASIP1_RUNNER="node --no-warnings $PWD/scripts/wasi-run.mjs" RUSTFLAGS="-C target-feature=+simd128" \
  cargo test -q --target wasm32-wasip1 -p eindkomst-core --lib
[ -d node_modules/playwright-core ] || npm ci --silent --no-audit --no-fund
# The node tests compare with the CLI's output.
cargo build -q --release -p eindkomst-cli
bash build.sh
node --test test/*.test.mjs
node test/browser.mjs
