#!/usr/bin/env bash
# A 2 GB stream through `eindkomst validate -` in constant memory (not in CI).
#
# The stream is the sample's first 9 lines (1000 .. 6000) and then its first
# 6001 line over and over, made on the fly by `yes` and piped: nothing is
# written to disk. Every repeated line is decoded, and each repeats Lb_nr 10,
# so validate reports one lb_nr_repeat per line: its output goes to /dev/null
# for the timing, and a 10 MB run shows the summary. `wc -l` reads the same
# stream for comparison.
#
#   bash benches/stream.sh          # 2 GB
#   GB=0.5 bash benches/stream.sh   # smaller
set -eu # no pipefail: `yes` always ends by SIGPIPE, and validate exits 1 (not clean)
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

gb="${GB:-2.0}"
cargo build -q --release -p eindkomst-cli
bin="${CARGO_TARGET_DIR:-target}/release/eindkomst"
head9="$(head -n 9 testdata/sample.txt)"
rec="$(sed -n 10p testdata/sample.txt)" # a 6001, 32 bytes + LF
lines=$(awk -v gb="$gb" -v n="${#rec}" 'BEGIN { printf "%d", gb * 1e9 / (n + 1) }')

# `yes` of a ~64 KB block of the line (large writes), cut at a line boundary.
block="$(yes "$rec" | head -n 2000)"
stream() { printf '%s\n' "$head9"; yes "$block" | head -c $(($1 * (${#rec} + 1))); }

# What validate says about such a stream (10 MB, same shape).
small=$((10000000 / (${#rec} + 1)))
# Expected: lines = decoded = 9 + k, errors = k (k - 1 repeats of Lb_nr 10
# and the missing 9999), nothing rejected.
stream "$small" | "$bin" validate - | grep '^lines ' | sed "s/^/10 MB, k = $small: /"

tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
bytes=$(( $(printf '%s\n' "$head9" | wc -c) + lines * (${#rec} + 1) ))

stream "$lines" | /usr/bin/time -f '%e %M' -o "$tmp" "$bin" validate - >/dev/null || true
# (time writes "Command exited with non-zero status 1" first: validate is not clean)
read -r v_s v_kb < <(tail -n 1 "$tmp")
stream "$lines" | /usr/bin/time -f '%e %M' -o "$tmp" wc -l >/dev/null
read -r w_s _ < <(tail -n 1 "$tmp")
# The producer alone, to show it is not the bottleneck.
start=$(date +%s%N)
stream "$lines" | cat >/dev/null
p_s=$(awk -v ns=$(($(date +%s%N) - start)) 'BEGIN { print ns / 1e9 }')

awk -v b="$bytes" -v v="$v_s" -v vk="$v_kb" -v w="$w_s" -v p="$p_s" 'BEGIN {
  mb = b / 1e6
  printf "%.1f GB: validate %.0f MB/s, peak RSS %.1f MB; wc -l %.0f MB/s (producer alone %.0f MB/s; validate writes one finding per line)\n",
    b / 1e9, mb / v, vk / 1024, mb / w, mb / p
}'
