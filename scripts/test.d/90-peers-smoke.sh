#!/usr/bin/env bash
# Smoke test of the peer comparison (benches/peers/run.sh) on the 10 MB input:
# every contender must print the same totals as eindkomst's reference (run.sh
# fails otherwise), and the main peers must all have a row. One run each (--runs 0:
# the warm-up only): this checks correctness, not speed.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=benches/peers/logs/smoke-results.md
mkdir -p benches/peers/logs
EINDKOMST_PEERS_RESULT=$out bash benches/peers/run.sh --size 10MB --runs 0
passed=0 failed=0
for row in '`wc -l`' 'eindkomst CLI `validate`' 'eindkomst core + totals' 'Java, hand-written' 'Java, BeanIO' 'pandas' '`fixed_width`'; do
  if grep -qF "| $row" "$out" || grep -F '| ' "$out" | grep -qF "$row"; then
    passed=$((passed + 1))
  else
    echo "not ok: no row for $row in $out"
    failed=$((failed + 1))
  fi
done
echo "peers smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
