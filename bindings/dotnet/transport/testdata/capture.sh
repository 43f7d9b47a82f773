#!/usr/bin/env bash
# Re-creates the Beskedfordeler test envelopes in testdata/beskedfordeler/: Capture.cs writes them, publishes each to a
# throw-away rabbitmq-server on 127.0.0.1 with Mono's RabbitMQ client (AMQP 0-9) and stores the body the broker
# delivers (checked byte for byte against what was sent). Not part of the test run; review the files (and
# expected.tsv) by hand after running it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
export EIK_SERVERS_DIR
EIK_SERVERS_DIR=$(mktemp -d /tmp/eik-dotnet-capture.XXXXXX)
# shellcheck source=../tests/servers.sh
. "$here/../tests/servers.sh"
trap 'stop_servers; rm -rf "$EIK_SERVERS_DIR"' EXIT
start_rabbit
rabbit=/usr/lib/mono/gac/RabbitMQ.Client/4.0.0.0__b03f5f7f11d50a3a/RabbitMQ.Client.dll
mcs -nologo -warnaserror+ -r:"$rabbit" -out:"$EIK_SERVERS_DIR/Capture.exe" "$here/Capture.cs"
cp "$rabbit" "$EIK_SERVERS_DIR/"
mkdir -p "$here/beskedfordeler"
mono "$EIK_SERVERS_DIR/Capture.exe" "$root/testdata/sample.txt" "$here/beskedfordeler" "$EIK_RABBIT_PORT"
