#!/usr/bin/env bash
# Java transport adapters (bindings/java/transport): the STS client and both SOAP
# clients with WS-Security against the transport double (bindings/transport-double:
# loopback STS + services that verify every signature and validate against the
# official schemas), the Beskedfordeler AMQP consumer against a real
# rabbitmq-server (TLS + EXTERNAL, 30 SIGKILL crash runs, a 2000-message soak),
# the Beskedfordeler REST receiver driven by curl with client certificates, the
# SFTP poller against a real OpenSSH sshd (incl. a 200 MB file under -Xmx64m; and
# crash consistency: the poller process SIGKILLed at 30 random moments and at each
# handler step, a full tmpfs under the part and the ledger).
# The tests start and stop the servers themselves, on 127.0.0.1 with their own
# ports and temp dirs. The full 100 000-message soak: scripts/soak-beskedfordeler.sh. The XML fuzz tests
# (*FuzzTest) run in 82-transport-xml-fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
# The brokers the tests start register with Erlang's port mapper (epmd, 127.0.0.1:4369); stop it
# afterwards when no node is left on it.
trap 'epmd -names 2>/dev/null | grep -q "^name " || epmd -kill >/dev/null 2>&1 || true' EXIT
[ "${CARGO_TARGET_DIR:-target}" = target ] || { echo "80-transport-java: unset CARGO_TARGET_DIR" >&2; exit 1; }

# The native library the engine jar packs, and the CLI the SFTP tests generate files with.
cargo build -q --release -p eindkomst-ffi -p eindkomst-cli
# The transport double the SOAP tests start (java -jar), as the Node and C# tests do.
bash bindings/transport-double/build.sh

log=target/transport-java.log
reports=bindings/java/transport/target/surefire-reports
rm -rf "$reports"  # no stale reports: every class below must run now
# -am builds the engine module too; the test filter runs only the transport tests.
mvn -q -B -Dstyle.color=never -f bindings/java/pom.xml -pl transport -am test \
  -Dtransport.skipTests=false -Dtest='dk.eindkomst.transport.**,!**/*FuzzTest' -Dsurefire.failIfNoSpecifiedTests=false 2>&1 | tee "$log"

# Every test class ran (surefire reports), with the exact number of tests each.
for spec in soap.SoapClientTest:11 soap.WsSecurityTest:8 security.StsClientTest:4 amqp.BeskedfordelerConsumerTest:8 \
            amqp.TlsExternalTest:2 amqp.CrashTest:1 amqp.SoakTest:2 beskedfordeler.BeskedReceiverTest:6 \
            beskedfordeler.LedgerTest:1 rest.ModtagBeskedServerTest:3 sftp.DailyFilePollerTest:10 sftp.CrashConsistencyTest:4; do
  cls=${spec%:*} want=${spec#*:}
  f="$reports/TEST-dk.eindkomst.transport.$cls.xml"
  [ -s "$f" ] || { echo "80-transport-java: no report for $cls" >&2; exit 1; }
  got=$(grep -o '<testsuite [^>]*' "$f" | grep -o ' tests="[0-9]*"' | grep -o '[0-9]*')
  bad=$(grep -o '<testsuite [^>]*' "$f" | grep -o ' \(failures\|errors\|skipped\)="[0-9]*"' | grep -vc '"0"' || true)
  [ "$got" = "$want" ] && [ "$bad" = 0 ] || { echo "80-transport-java: $cls ran $got tests (want $want), $bad non-zero failure counters" >&2; exit 1; }
done
grep -q '^sftp: 199 MB file, 4400000 records' "$log" || { echo "80-transport-java: the 200 MB SFTP test did not run" >&2; exit 1; }
grep -q '^crash-java: 540 stored once, 60 dead-lettered once' "$log" || { echo "80-transport-java: the crash test did not report" >&2; exit 1; }
grep -q '^sftp-crash: 30 SIGKILLs' "$log" || { echo "80-transport-java: the SFTP crash test did not run" >&2; exit 1; }
echo "transport-java: $(grep '^sftp:' "$log")"
echo "transport-java: $(grep '^sftp-crash:' "$log")"
grep '^crash-java: \|^soak-java ' "$log" | sed 's/^/transport-java: /'
