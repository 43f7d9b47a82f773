#!/usr/bin/env bash
# Rust workspace: format, lints, unit/integration/doc tests.
set -euo pipefail
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -q -- -D warnings
cargo test --workspace -q
# The oldest Rust each crate says it builds with (rust-version): the
# workspace, and the core alone (no_std, embedded in older builds).
cargo +1.85 check --workspace -q
cargo +1.80 check -p eindkomst-core -q
