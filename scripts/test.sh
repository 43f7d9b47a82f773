#!/usr/bin/env bash
# Runs every test of the project: installs what is missing, then each part's
# test script in scripts/test.d/ in name order. Exit status: 0 only if all pass.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "setup failed"; exit 1; }
export PATH="$HOME/.cargo/bin:$PATH"

passed=0 failed=0 failed_names=()
for t in scripts/test.d/*.sh; do
  name=$(basename "$t" .sh)
  echo "=== $name ==="
  start=$(date +%s)
  if bash "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); failed_names+=("$name"); fi
  echo "=== $name: $(( $(date +%s) - start ))s ==="
done
[ ${#failed_names[@]} -gt 0 ] && echo "failed parts: ${failed_names[*]}"
echo "test parts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
