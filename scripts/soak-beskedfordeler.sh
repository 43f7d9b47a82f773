#!/usr/bin/env bash
# Soak of the Beskedfordeler receivers (not part of CI, which runs 2000 messages per channel in
# 80-transport-java.sh / 81-transport-node.sh): N messages (default 100 000) through each channel and
# language — AMQP against a real rabbitmq-server, REST over mutual TLS — with the receiver in a process of
# its own (durable ledger, fdatasync per message). Prints messages/s and the receiver's peak RSS:
#   bash scripts/soak-beskedfordeler.sh [N]
# Takes about 15-40 minutes on the 2-core build machine for N = 100 000.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
n=${1:-100000}
trap 'epmd -names 2>/dev/null | grep -q "^name " || epmd -kill >/dev/null 2>&1 || true' EXIT

cargo build -q --release -p eindkomst-ffi
[ -d wasm/node_modules ] || (cd wasm && npm ci --no-audit --no-fund -q)
bash wasm/build.sh >/dev/null
(cd bindings/node-transport && npm ci --no-audit --no-fund -q)

log=target/soak-beskedfordeler.log
: >"$log"
mvn -q -B -Dstyle.color=never -f bindings/java/pom.xml -pl transport -am test -Dtransport.skipTests=false \
  -Dtest='dk.eindkomst.transport.amqp.SoakTest' -Dsurefire.failIfNoSpecifiedTests=false -Dsoak.messages="$n" 2>&1 | tee -a "$log"
(cd bindings/node-transport && SOAK_MESSAGES="$n" node --test --test-reporter=tap test/soak.test.js) 2>&1 | tee -a "$log"
[ "$(grep -c '^soak-java \|^# soak-node ' "$log")" = 4 ] || { echo "soak-beskedfordeler: a channel did not finish" >&2; exit 1; }
grep '^soak-java \|^# soak-node ' "$log" | sed 's/^# //'
