#!/usr/bin/env bash
# Node transport adapters (bindings/node-transport): the STS client and both SOAP
# clients with WS-Security against the transport double (bindings/transport-double,
# the same program the Java and C# tests use), the Beskedfordeler consumer against
# a real rabbitmq-server (TLS + EXTERNAL, 30 SIGKILL crash runs, a soak), the REST
# receiver, and the SFTP poller against a real OpenSSH sshd (incl. a 200 MB file
# with bounded memory; and crash consistency: the poller process SIGKILLed at 30
# random moments and at each handler step, a full tmpfs under the part and the
# ledger). The tests start and stop the servers on 127.0.0.1 themselves. The full
# 100 000-message soak: scripts/soak-beskedfordeler.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
# The brokers the tests start register with Erlang's port mapper (epmd, 127.0.0.1:4369); stop it
# afterwards when no node is left on it.
trap 'epmd -names 2>/dev/null | grep -q "^name " || epmd -kill >/dev/null 2>&1 || true' EXIT
[ "${CARGO_TARGET_DIR:-target}" = target ] || { echo "81-transport-node: unset CARGO_TARGET_DIR" >&2; exit 1; }

# The engine: the npm package built from wasm/ (wasm/build/pkg), and the CLI the SFTP tests generate files with.
cargo build -q --release -p eindkomst-cli
[ -d wasm/node_modules ] || (cd wasm && npm ci --no-audit --no-fund -q)
bash wasm/build.sh >/dev/null
# The transport double the SOAP tests start (java -jar).
bash bindings/transport-double/build.sh

cd bindings/node-transport
npm ci --no-audit --no-fund -q
log=../../target/transport-node.log
node --test --test-reporter=tap test/*.test.js 2>&1 | tee "$log"
grep -q '^# fail 0$' "$log" || { echo "81-transport-node: failures" >&2; exit 1; }
pass=$(sed -n 's/^# pass //p' "$log")
[ "$pass" = 58 ] || { echo "81-transport-node: $pass tests passed, want 58" >&2; exit 1; }
grep -q '^# sftp-node: 200 MB file, 4400000 records' "$log" || { echo "81-transport-node: the 200 MB SFTP test did not run" >&2; exit 1; }
grep -q '^# crash-node: 540 stored once, 60 dead-lettered once' "$log" || { echo "81-transport-node: the crash test did not report" >&2; exit 1; }
grep -q '^# sftp-node-crash: 30 SIGKILLs' "$log" || { echo "81-transport-node: the SFTP crash test did not run" >&2; exit 1; }
echo "transport-node: $(sed -n 's/^# sftp-node: //p' "$log")"
echo "transport-node: $(sed -n 's/^# sftp-node-crash: //p' "$log")"
sed -n 's/^# \(crash-node: \|soak-node \)/transport-node: \1/p' "$log"
