#!/usr/bin/env bash
# `eindkomst stats --html` in a real headless Chromium: the page opened from
# disk, exact figures read from it, no request but the file itself
# (cli/tests/browser/stats_html.mjs; playwright-core from wasm/node_modules).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"

[ -d wasm/node_modules/playwright-core ] || (cd wasm && npm ci --silent --no-audit --no-fund)
cargo build -q --release -p eindkomst-cli
node cli/tests/browser/stats_html.mjs "${CARGO_TARGET_DIR:-target}/release/eindkomst"
