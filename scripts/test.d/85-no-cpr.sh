#!/usr/bin/env bash
# No CPR anywhere it should not be. Inputs full of the synthetic CPRs of testdata/no-cpr/cprs.txt, damaged in every
# way the engine reports (scripts/no-cpr/inputs.mjs: non-digits in amounts and in CPR fields, wrong lengths, bad
# dates and times, unknown record keys, grammar, bad Base64, UTF-8 where Latin-1 is wanted, another family, families
# and filter specs that fail to load with CPRs where a value is echoed, bad options, strict mode), run through
# these faces: the CLI (validate, decode's stderr, stats, --jobs, bad options), the C ABI (bindings/c/no_cpr.c),
# the npm package in Node (scripts/no-cpr/engine-node.mjs), the Java binding (scripts/no-cpr/EngineJava.java, on
# the jar of 71-java.sh) and the C# binding (scripts/no-cpr/EngineDotnet.cs, on Mono, Eindkomst.dll of
# 70-dotnet.sh), each with its own refusals too (typed filter values, options, a family named with a CPR, family
# files named with CPRs). Everything a face prints on stderr, throws or logs goes to target/no-cpr/out/<face>/,
# and scripts/no-cpr/check.mjs fails on any known CPR (with or without the hyphen) or any synthetic-CPR-shaped run
# there, and on a face with nothing scanned; it is first shown to bite, also on the Java and C# faces' output.
# The transports (Beskedfordeler receivers of the Java and Node transports after faults: dead-letter reasons, the
# BeskedId ledger, receipts, listener texts; SOAP and metadata errors): 82-transport-xml-fuzz.sh; their SFTP
# pollers (ledger, work directory, outcome details): DailyFilePollerTest / sftp.test.js in 80 and 81. Not covered:
# the C# transport.
# Not scanned, on purpose: record output (decode's stdout, the records the faces return): the caller asked for
# those records, CPRs included. No face has an opt-in to show values in messages.
# Exact counts: the C ABI and Node report the same findings and refusals on the whole plan. Java and C# take no
# filter JSON (their filter is typed): they run keep-one.json's filter as its typed equivalent, skip the plan's 11
# other filter: lines (counted) and report the same findings and refusals as C on the lines they run.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
[ "${CARGO_TARGET_DIR:-target}" = target ] || { echo "85-no-cpr: unset CARGO_TARGET_DIR" >&2; exit 1; }

work=target/no-cpr
in=$work/in out=$work/out
rm -rf "$work"
mkdir -p "$in" "$out"
export CPRS=$PWD/testdata/no-cpr/cprs.txt
fail() { echo "85-no-cpr: $*" >&2; exit 1; }

# 1. What the faces need (each built already by an earlier part in CI; built here when missing).
cargo build -q --release -p eindkomst-ffi -p eindkomst-cli
E=target/release/eindkomst
[ -f wasm/build/pkg/package.json ] && [ wasm/build/pkg/eindkomst_wasm_bg.wasm -nt wasm/src/lib.rs ] \
  || { [ -d wasm/node_modules ] || (cd wasm && npm ci --silent --no-audit --no-fund); bash wasm/build.sh >/dev/null; }
lib=target/release/libeindkomst.so
jar=bindings/java/engine/target/eindkomst-0.2.0.jar # 71-java.sh's (the library packed inside)
fresh() { # FILE NEWER_THAN...: FILE exists and is newer than each of the others
  [ -f "$1" ] || return 1
  [ -z "$(find "${@:2}" -newer "$1" -type f -print -quit)" ]
}
fresh "$jar" "$lib" bindings/java/engine/src/main bindings/java/engine/pom.xml \
  || mvn -q -B -Dstyle.color=never -f bindings/java/pom.xml -pl engine package -DskipTests
jna=$(find "$HOME/.m2/repository/net/java/dev/jna/jna" -name 'jna-5*.jar' ! -name '*sources*' | sort | tail -1)
fresh target/dotnet/Eindkomst.dll "$lib" bindings/dotnet/src bindings/dotnet/tests bindings/dotnet/build.sh \
  || bash bindings/dotnet/build.sh target/dotnet # 70-dotnet.sh's (libeindkomst.so copied next to it)

# 2. The inputs, and the plan every engine face runs (FILE|flags).
node scripts/no-cpr/inputs.mjs "$PWD" "$in" >/dev/null
"$E" generate --records 3000 --seed 19 --errors 0.2 -o "$in/inputs/generated.txt"
i=$PWD/$in/inputs
{
  for f in amounts cpr-field lengths dates grammar utf8-euro generated; do echo "$i/$f.txt|"; done
  echo "$i/grammar.txt|strict"
  echo "$i/cpr-field.txt|strict"
  echo "$i/keys.txt|"
  echo "$i/keys.txt|raw"
  echo "$i/utf8.txt|latin1"
  echo "$i/utf8.txt|"
  for f in b64-bad-char b64-padding b64-truncated; do echo "$i/$f.b64|base64"; done
  echo "$i/demo.txt|"
  echo "$i/good.txt|family:$PWD/testdata/families/demo.json"
  for f in "$in"/families/*.json; do echo "$i/demo.txt|family:$PWD/$f"; done
  for f in "$in"/filters/*.json; do echo "$i/good.txt|filter:$PWD/$f"; done
  echo "$i/amounts.txt|filter:$PWD/$in/filters/keep-one.json,strict"
} >"$in/plan"
# The first line is amounts.txt (engine-node.mjs streams it).

# 3. The CLI. decode's stdout is record output (CPRs by request): discarded; its stderr is scanned.
mkdir -p "$out/cli"
cli() { # NAME ARGS...: stdout and stderr of a command that prints no records
  "$E" "${@:2}" >"$out/cli/$1.out" 2>"$out/cli/$1.err" || true
}
for f in amounts cpr-field lengths dates grammar keys utf8-euro generated; do
  cli "validate-$f" validate "$i/$f.txt"
  "$E" decode "$i/$f.txt" >/dev/null 2>"$out/cli/decode-$f.err" || true
  "$E" decode --raw --format csv "$i/$f.txt" >/dev/null 2>"$out/cli/decode-csv-$f.err" || true
  cli "stats-$f" stats "$i/$f.txt"
  cli "stats-json-$f" stats --json "$i/$f.txt"
done
cli validate-jobs validate --jobs 2 "$i/generated.txt"
cli stats-html stats --html "$out/cli/stats.html" "$i/generated.txt"
cli validate-strict validate --strict "$i/grammar.txt"
cli validate-raw validate --unknown raw "$i/keys.txt"
cli validate-latin1 validate --encoding latin1 "$i/utf8.txt"
cli validate-utf8 validate "$i/utf8.txt"
for f in b64-bad-char b64-padding b64-truncated; do cli "validate-$f" validate --base64 "$i/$f.b64"; done
cli validate-demo validate "$i/demo.txt"
cli validate-family validate --family testdata/families/demo.json "$i/good.txt"
for f in "$in"/families/*.json; do cli "family-$(basename "$f" .json)" validate --family "$f" "$i/demo.txt"; done
cli detect detect "$i"/*.txt
mapfile -t cpr < <(grep -E '^[0-9]{10}$' "$CPRS")
dash() { echo "${1:0:6}-${1:6}"; }
"$E" decode --cpr-file "$i/keep-one.cprs" --profile minimal "$i/amounts.txt" >/dev/null 2>"$out/cli/filter-keep-one.err" || true
"$E" decode --cpr-file "$i/bad.cprs" "$i/good.txt" >/dev/null 2>"$out/cli/filter-bad-cprs.err" || true
echo '{"name": "'"${cpr[0]}"'", "records": {"'"${cpr[1]}"'": [1]}}' >"$in/profile.json"
n=0
for args in "--se ${cpr[0]}" "--se $(dash "${cpr[1]}")" "--records ${cpr[2]}" "--fields ${cpr[3]}" \
  "--period ${cpr[4]}..$(dash "${cpr[5]}")" "--period last:${cpr[6]}" "--profile ${cpr[7]}" "--profile $in/profile.json" \
  "--variant ${cpr[0]}@v1" "--amount-scale ${cpr[1]}" "--pseudonymise-key-file $in/${cpr[2]}.key" \
  "--person-layout ${cpr[3]}" "--cpr-file $in/${cpr[4]}.txt" "--jobs ${cpr[5]}" "--${cpr[6]}"; do
  n=$((n + 1))
  # shellcheck disable=SC2086
  "$E" decode $args "$i/good.txt" >/dev/null 2>"$out/cli/option-$n.err" && fail "decode $args was accepted"
done
"$E" validate "$in/$(dash "${cpr[7]}").txt" >/dev/null 2>"$out/cli/option-file.err" && fail "a missing file was accepted"
cli_findings=$(cat "$out"/cli/validate-*.out | grep -cE '^(rejected|error|warning): ')
cli_refusals=$(cat "$out"/cli/*.err | grep -c -e '^eindkomst: ' -e '^error: ')
echo "no-cpr cli: $cli_findings findings, $cli_refusals refusals"
[ "$cli_findings $cli_refusals" = "914 34" ] || fail "cli: want 914 findings, 34 refusals"

# 4. The C ABI.
mkdir -p "$out/c"
gcc -std=c11 -Wall -Wextra -Werror -pedantic -O1 -Iinclude bindings/c/no_cpr.c target/release/libeindkomst.a \
  -lpthread -ldl -lm -o "$work/no_cpr"
while IFS='|' read -r file flags; do
  args=()
  IFS=, read -ra fl <<<"$flags"
  for f in "${fl[@]}"; do
    case $f in
      family:*) args+=(--family "${f#family:}") ;;
      filter:*) args+=(--filter "${f#filter:}") ;;
      raw) args+=(--unknown-raw) ;;
      *) args+=("--$f") ;;
    esac
  done
  echo "run $file|$flags"
  "$work/no_cpr" "$file" "${args[@]}"
done <"$in/plan" >"$out/c/plan.txt"
"$work/no_cpr" --check-field "${cpr[@]}" "$(dash "${cpr[0]}")" "${cpr[1]:0:5}O${cpr[1]:6}" "${cpr[2]}1" >"$out/c/check-field.txt"

# 5. Node (the npm package built from wasm/).
mkdir -p "$out/node"
node scripts/no-cpr/engine-node.mjs "$PWD/wasm/build/pkg" "$in/plan" >"$out/node/plan.txt"

# The same findings and refusals on every engine face.
count() { grep -c "^$2" "$out/$1/plan.txt" || true; }
c_findings=$(grep -cE '^(rejected|error|warning): ' "$out/c/plan.txt")
c_refusals=$(grep -cE '^(decoder|family) refused' "$out/c/plan.txt")
echo "no-cpr c: $c_findings findings, $c_refusals refusals"
[ "$c_findings $c_refusals" = "515 16" ] || fail "c: want 515 findings, 16 refusals (5 families, 11 filters)"
[ "$(grep -c '^check ' "$out/c/check-field.txt")" = 22 ] || fail "c: want 22 check-field verdicts"
# Strict mode throws in JS, Java and C#: the finding that stopped the run is the exception.
same() { # FACE FINDINGS REFUSALS
  [ "$2 $3" = "$c_findings $c_refusals" ] || fail "$1: $2 findings and $3 refusals, C: $c_findings and $c_refusals"
  echo "no-cpr $1: $2 findings, $3 refusals (as C)"
}
strict=$(count node 'refused: EindkomstError:')
same node $(($(count node finding:) + strict)) $(($(count node refused:) - strict))
[ "$(count node 'option refused:')" = 14 ] || fail "node: $(count node 'option refused:') option refusals, want 14 (5 options, 1 amount, 8 roles)"

# 6. Java and C# (the engine bindings over the C ABI). Their filters are typed, not JSON: the plan's filter: lines
# other than keep-one.json (run as its typed equivalent) are skipped, counted, and left out of C's counts here.
mkdir -p "$out/java" "$out/dotnet"
env -u LD_LIBRARY_PATH java -cp "$jar:$jna" scripts/no-cpr/EngineJava.java "$in/plan" "$CPRS" "$work/java-scratch" \
  >"$out/java/plan.txt"
mcs -nologo -optimize+ -warnaserror+ -r:target/dotnet/Eindkomst.dll -r:System.Core.dll \
  -out:target/dotnet/EngineDotnet.exe scripts/no-cpr/EngineDotnet.cs
env -u LD_LIBRARY_PATH mono target/dotnet/EngineDotnet.exe "$in/plan" "$CPRS" "$work/dotnet-scratch" \
  >"$out/dotnet/plan.txt"
skips=$(grep 'filter:' "$in/plan" | grep -vc '/keep-one\.json') # every filter line but keep-one.json's (2)
[ "$skips" = 11 ] || fail "the plan has $skips filter lines besides keep-one.json, want 11"
typed=$(awk '/^run /{on = !/filter:/ || /\/keep-one\.json/} on' "$out/c/plan.txt")
c_findings=$(grep -cE '^(rejected|error|warning): ' <<<"$typed")
c_refusals=$(grep -cE '^(decoder|family) refused' <<<"$typed")
[ "$c_findings $c_refusals" = "515 5" ] || fail "c without the JSON filters: $c_findings findings, $c_refusals refusals, want 515 and 5"
echo "no-cpr java, dotnet: $skips filter-JSON plan lines skipped; c on the lines they run: $c_findings findings, $c_refusals refusals"
for face in java dotnet; do
  [ "$(count $face 'skipped: filter JSON')" = "$skips" ] || fail "$face: $(count $face 'skipped: filter JSON') skipped filter lines, want $skips"
  strict=$(count $face 'refused: [A-Za-z.]*EindkomstException:')
  same "$face" $(($(count $face finding:) + strict)) $(($(count $face refused:) - strict))
  [ "$(count $face 'option refused:')" = 9 ] \
    || fail "$face: $(count $face 'option refused:') option refusals, want 9 (3 CPR lists, profile, amount scale, key, field, 2 family files)"
  ! grep -q '^accepted (unexpected)' "$out/$face/plan.txt" || fail "$face: an option was accepted"
done

# 7. The scan; first the checker must bite: a known CPR (hyphenated), a generated-style one, and an empty face.
mkdir -p "$work/bite/a" "$work/bite/b"
printf 'ok\nreason: %s\nx%sy\n' "$(dash "${cpr[3]}")" 8504921234 >"$work/bite/a/log"
if node scripts/no-cpr/check.mjs "$CPRS" "$work/bite" a b >"$work/bite.txt"; then fail "the checker passed a planted CPR"; fi
grep -qx "LEAK $work/bite/a/log:2: ${cpr[3]:0:6}\*\*\*\*" "$work/bite.txt" || fail "checker: $(cat "$work/bite.txt")"
grep -qx "LEAK $work/bite/a/log:3: 850492\*\*\*\*" "$work/bite.txt" || fail "checker: $(cat "$work/bite.txt")"
grep -q '^no-cpr b: 0 files, 0 lines scanned (EMPTY)$' "$work/bite.txt" || fail "checker: $(cat "$work/bite.txt")"
# ... and in the Java and C# faces' own output: a masked text there with the CPR put back is found.
for face in java dotnet; do
  mkdir -p "$work/bite/$face"
  grep -q '\*\{10\}' "$out/$face/plan.txt" || fail "$face: no masked text to plant a CPR in"
  awk -v c="$(dash "${cpr[5]}")" '!done && sub(/\*\*\*\*\*\*\*\*\*\*/, c) { done = 1 } 1' "$out/$face/plan.txt" \
    >"$work/bite/$face/plan.txt"
  if node scripts/no-cpr/check.mjs "$CPRS" "$work/bite" "$face" >"$work/bite-$face.txt"; then fail "the checker passed a CPR planted in $face's output"; fi
  grep -q "^LEAK $work/bite/$face/plan.txt:[0-9]*: ${cpr[5]:0:6}\*\*\*\*$" "$work/bite-$face.txt" || fail "checker ($face): $(cat "$work/bite-$face.txt")"
done
node scripts/no-cpr/check.mjs "$CPRS" "$out" cli c node java dotnet
