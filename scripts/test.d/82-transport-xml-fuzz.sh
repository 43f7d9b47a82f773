#!/usr/bin/env bash
# The transports' XML readers under mutated messages, and the no-CPR sweep of the Beskedfordeler receivers
# after faults (docs/bad-input.md, "Fuzzing"): a seeded mutator (the same operations in Java and Node: byte
# flips, truncation, duplicated elements, characters that matter to XML, huge attributes, synthetic CPRs in
# values and attributes, DTDs with external entities to a canary file and a loopback canary server, entity
# expansion, XInclude, schemaLocation) over captured messages. Java (bindings/java/transport, XmlFuzzTest,
# AnswerFuzzTest, MetadataFuzzTest): 4000 envelopes, 4000 SOAP answers, 3000 SFTP metadata files, 600 messages
# through the receiver. Node
# (bindings/node-transport/test/xml-fuzz.js): 3000 envelopes, 3000 SFTP metadata files, 3000 SOAP answers, 600
# messages through the receiver. Each input is read or refused with the reader's own error (nothing else
# thrown), no refusal text holds a CPR, nothing external is resolved; after the receiver runs, every dead-letter
# reason file, the BeskedId ledger, each receipt and each listener text or event holds no CPR. The same seed
# gives the same inputs: the counts below are exact. Jazzer was tried and is not used (docs/bad-input.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
[ "${CARGO_TARGET_DIR:-target}" = target ] || { echo "82-transport-xml-fuzz: unset CARGO_TARGET_DIR" >&2; exit 1; }
fail() { echo "82-transport-xml-fuzz: $*" >&2; exit 1; }

# What the receivers need: the engine (the jar packs the native library; Node takes the npm package of wasm/),
# and the transport double's answer templates (read as files, no server).
cargo build -q --release -p eindkomst-ffi
[ -d wasm/node_modules ] || (cd wasm && npm ci --no-audit --no-fund -q)
[ -f wasm/build/pkg/package.json ] && [ wasm/build/pkg/eindkomst_wasm_bg.wasm -nt wasm/src/lib.rs ] || bash wasm/build.sh >/dev/null

log=target/transport-xml-fuzz.log
mkdir -p target
reports=bindings/java/transport/target/surefire-reports
rm -rf "$reports"
mvn -q -B -Dstyle.color=never -f bindings/java/pom.xml -pl transport -am test -Dtransport.skipTests=false \
  -Dtest='dk.eindkomst.transport.**.*FuzzTest' -Dsurefire.failIfNoSpecifiedTests=false 2>&1 | tee "$log"
for spec in beskedfordeler.XmlFuzzTest:2 soap.AnswerFuzzTest:1 sftp.MetadataFuzzTest:1; do
  cls=${spec%:*} want=${spec#*:}
  f="$reports/TEST-dk.eindkomst.transport.$cls.xml"
  [ -s "$f" ] || fail "no report for $cls"
  got=$(grep -o '<testsuite [^>]*' "$f" | grep -o ' tests="[0-9]*"' | grep -o '[0-9]*')
  bad=$(grep -o '<testsuite [^>]*' "$f" | grep -o ' \(failures\|errors\|skipped\)="[0-9]*"' | grep -vc '"0"' || true)
  [ "$got" = "$want" ] && [ "$bad" = 0 ] || fail "$cls ran $got tests (want $want), $bad non-zero failure counters"
done

# node_modules: 81-transport-node.sh ran npm ci from the lock just before (10 s again here); as for wasm/ above.
(cd bindings/node-transport && { [ -d node_modules ] || npm ci --no-audit --no-fund -q; } && node --test --test-reporter=tap test/xml-fuzz.js) 2>&1 | tee -a "$log"
grep -q '^# fail 0$' "$log" && grep -q '^# pass 2$' "$log" || fail "Node: failures (want 2 passed tests)"

# Exact: the seeds fix every input.
for want in \
  'xml-fuzz-java envelopes: 4000 inputs, 358 read, 3642 refused {bad_envelope=3217, invalid_envelope=392, no_besked_id=33}' \
  'xml-fuzz-java receiver: 600 messages {HANDLED=101, DUPLICATE=46, DEAD_LETTERED=453, RETRY=26}, 26 poison retries, 454 files swept (453 dead-letter reasons + ledger), 525 listener texts' \
  'xml-fuzz-java answers: 4000 inputs {FejlSvarException=69, ServiceplatformFaultException=186, SoapTransportException=3675, answer=70}' \
  'xml-fuzz-java metadata: 3000 inputs {read=317, refused=2683}' \
  'xml-fuzz-node: 3000 inputs each {"envelope bad_envelope":2429,"envelope no_besked_id":24,"envelope read":263,"envelope invalid_envelope":284,"metadata refused":2569,"metadata read":431,"answer SoapTransportError":2707,"answer ServiceplatformFaultError":164,"answer read":71,"answer FejlSvarError":58}' \
  'xml-fuzz-node receiver: 600 messages {"retry":26,"handled":103,"deadLettered":456,"duplicate":41}, 26 poison retries, 457 files swept (456 dead-letter reasons + ledger), 626 events'; do
  grep -qF "$want" "$log" || fail "not printed: $want"
done
grep -E '^(# )?xml-fuzz-' "$log" | sed 's/^# //'
