#!/usr/bin/env bash
# C# transports (bindings/dotnet/transport) on Mono: built with mcs, tested against real servers on 127.0.0.1 that
# this script starts (bindings/dotnet/transport/tests/servers.sh) and stops: the transport double (STS + both
# SF0770_E services, verifying every signature and validating every body against the official schemas),
# rabbitmq-server (driven with Debian's Mono RabbitMQ client) and OpenSSH sshd (files fetched with the OpenSSH sftp
# client, incl. an interrupted transfer and a ~100 MB file); and the XML readers (envelope, SFTP metadata, SOAP
# answers) under 3000 mutated inputs each (tests/XmlFuzzTests.cs, the Java and Node transports' mutator; fixed
# seeds, so the outcome counts below are exact). Checks the exact number of tests.
# The native library: $EINDKOMST_LIBRARY_FILE if set (e.g. built from another commit while the C ABI changes),
# else target/release/libeindkomst.so built here.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
[ "${CARGO_TARGET_DIR:-target}" = target ] || { echo "72-dotnet-transport: unset CARGO_TARGET_DIR" >&2; exit 1; }
want=46

# 1. The engine (native library), the CLI the daily-file tests generate files with, the transport double.
if [ -n "${EINDKOMST_LIBRARY_FILE:-}" ]; then
  cargo build -q --release -p eindkomst-cli
else
  cargo build -q --release -p eindkomst-ffi -p eindkomst-cli
fi
bash bindings/transport-double/build.sh
big=target/bindings-100mb.txt   # deterministic; shared with 70-dotnet.sh and 71-java.sh
if [ ! -s "$big" ]; then
  target/release/eindkomst generate --records 2100000 --seed 7 -o "$big.tmp"
  mv "$big.tmp" "$big"
fi

# 2. The assembly, the README examples and the test program (mcs).
bash bindings/dotnet/transport/build.sh target/dotnet-transport

# 3. Servers. The brokers register with Erlang's port mapper (epmd, 127.0.0.1:4369): stop it afterwards when no
# node is left on it.
export EIK_SERVERS_DIR
EIK_SERVERS_DIR=$(mktemp -d /tmp/eik-dotnet-transport.XXXXXX)
# shellcheck source=../../bindings/dotnet/transport/tests/servers.sh
. bindings/dotnet/transport/tests/servers.sh
cleanup() {
  stop_servers
  rm -rf "$EIK_SERVERS_DIR"
  epmd -names 2>/dev/null | grep -q "^name " || epmd -kill >/dev/null 2>&1 || true
}
trap cleanup EXIT
start_double
start_rabbit
start_sshd

# 4. The tests. No LD_LIBRARY_PATH: Mono finds libeindkomst.so next to Eindkomst.dll.
mkdir -p "$EIK_SERVERS_DIR/tests"
log=target/dotnet-transport/test.log
env -u LD_LIBRARY_PATH EIK_REPO="$PWD" EIK_TEST_TMP="$EIK_SERVERS_DIR/tests" EIK_CLI="$PWD/target/release/eindkomst" \
  EIK_BIG_FILE="$PWD/$big" mono target/dotnet-transport/TransportTests.exe | tee "$log"
grep -q "^$want passed, 0 failed\$" "$log" || { echo "72-dotnet-transport: want $want passed, 0 failed" >&2; exit 1; }
for m in '^# beskedfordeler-dotnet: 500 messages' '^# dailyfile-dotnet: '; do
  grep -q "$m" "$log" || { echo "72-dotnet-transport: no measurement line $m" >&2; exit 1; }
done
for m in 'xml-fuzz-dotnet: 3000 envelopes bad_envelope 2417, invalid_envelope 311, no_besked_id 34, read 238' \
         'xml-fuzz-dotnet: 3000 metadata files: read 414, refused 2586' \
         'xml-fuzz-dotnet: 3000 answers FejlSvarException 60, ServiceplatformFaultException 156, SoapTransportException 2730, read 54'; do
  grep -qxF "$m" "$log" || { echo "72-dotnet-transport: no line \"$m\"" >&2; exit 1; }
done
echo "dotnet-transport: $(sed -n 's/^# beskedfordeler-dotnet: //p' "$log")"
echo "dotnet-transport: $(sed -n 's/^# dailyfile-dotnet: //p' "$log")"
