#!/usr/bin/env bash
# No CPR anywhere it should not be. Inputs full of the synthetic CPRs of testdata/no-cpr/cprs.txt, damaged in every
# way the engine reports (scripts/no-cpr/inputs.mjs: non-digits in amounts and in CPR fields, wrong lengths, bad
# dates and times, unknown record keys, grammar, bad Base64, UTF-8 where Latin-1 is wanted, another family, families
# and filter specs that fail to load with CPRs where a value is echoed, bad options, strict mode), run through
# every face: the CLI (validate, decode's stderr, stats, --jobs, bad options), the C ABI (bindings/c/no_cpr.c), the
# npm package in Node, the Java and C# bindings, and the Beskedfordeler receivers of the Java, Node and C#
# transports (dead-letter reasons, ledger lines, listener texts). Everything a face prints on stderr, throws, logs
# or dead-letters goes to target/no-cpr/out/<face>/, and scripts/no-cpr/check.mjs fails on any known CPR (with or
# without the hyphen) or any synthetic-CPR-shaped run there, and on a face with nothing scanned.
# Not scanned, on purpose: record output (decode's stdout, the records the faces return, a dead letter's stored
# body): the caller asked for those records, CPRs included. No face has an opt-in to show values in messages.
# Exact counts: every engine face (C, Node, Java, C#) reports the same findings and refusals on the same plan.
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

# 6. The scan; first the checker must bite: a known CPR (hyphenated), a generated-style one, and an empty face.
mkdir -p "$work/bite/a" "$work/bite/b"
printf 'ok\nreason: %s\nx%sy\n' "$(dash "${cpr[3]}")" 8504921234 >"$work/bite/a/log"
if node scripts/no-cpr/check.mjs "$CPRS" "$work/bite" a b >"$work/bite.txt"; then fail "the checker passed a planted CPR"; fi
grep -qx "LEAK $work/bite/a/log:2: ${cpr[3]:0:6}\*\*\*\*" "$work/bite.txt" || fail "checker: $(cat "$work/bite.txt")"
grep -qx "LEAK $work/bite/a/log:3: 850492\*\*\*\*" "$work/bite.txt" || fail "checker: $(cat "$work/bite.txt")"
grep -q '^no-cpr b: 0 files, 0 lines scanned (EMPTY)$' "$work/bite.txt" || fail "checker: $(cat "$work/bite.txt")"
node scripts/no-cpr/check.mjs "$CPRS" "$out" cli c node
