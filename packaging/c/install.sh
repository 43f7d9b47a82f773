#!/usr/bin/env bash
# Installs the C library under PREFIX as a distribution package would:
#   PREFIX/lib/libeindkomst.so, PREFIX/lib/libeindkomst.a,
#   PREFIX/include/eindkomst.h, PREFIX/lib/pkgconfig/eindkomst.pc
# then `PKG_CONFIG_PATH=PREFIX/lib/pkgconfig pkg-config --cflags --libs eindkomst`.
# Usage: packaging/c/install.sh PREFIX   (builds the release library first)
set -euo pipefail
prefix=${1:?usage: packaging/c/install.sh PREFIX}
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
target="${CARGO_TARGET_DIR:-target}"

cargo build -q --release -p eindkomst-ffi
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
install -d "$prefix/lib/pkgconfig" "$prefix/include"
# Without debug information (the release profile keeps some for profiling), as distributions ship.
install -m 0755 "$target/release/libeindkomst.so" "$prefix/lib/"
install -m 0644 "$target/release/libeindkomst.a" "$prefix/lib/"
strip --strip-debug "$prefix/lib/libeindkomst.so" "$prefix/lib/libeindkomst.a"
install -m 0644 include/eindkomst.h "$prefix/include/"
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$(bash scripts/versions.sh)|" -e '/^#/d' \
  packaging/c/eindkomst.pc.in >"$prefix/lib/pkgconfig/eindkomst.pc"
