#!/usr/bin/env bash
# Rust workspace: format, lints, unit/integration/doc tests.
set -euo pipefail
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -q -- -D warnings
cargo test --workspace -q
