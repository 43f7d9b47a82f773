#!/usr/bin/env bash
# WASM npm package: build (wasm32 + wasm-bindgen + wasm-opt), node tests
# (values, CLI differential, streaming, errors, packaging), and the viewer in
# a real headless Chromium driven by playwright-core.
set -euo pipefail
cd "$(dirname "$0")/../../wasm"
export PATH="$HOME/.cargo/bin:$PATH"

[ -d node_modules/playwright-core ] || npm ci --silent --no-audit --no-fund
# The node tests compare with the CLI's output.
cargo build -q --release -p eindkomst-cli
bash build.sh
node --test test/*.test.mjs
node test/browser.mjs
