#!/usr/bin/env bash
# Builds the npm package `eindkomst` (wasm/build/pkg) and the browser viewer
# (wasm/build/site) from the eindkomst-wasm crate and wasm/pkg-src.
#
#   1. cargo: wasm32-unknown-unknown, profile `wasm-release` (defined here with
#      --config so the workspace's release profile stays as it is: inherits
#      release, opt-level 3, no debug info, panic = abort). Level 3 over "s":
#      `node bench.mjs` measured validate at 0.66x native against 0.28x, for
#      221 KB instead of 205 KB of .wasm.
#   2. wasm-bindgen (the CLI must equal the crate: 0.2.130) twice: `nodejs`
#      (CommonJS, sync load) and `web` (ES module, fetch + instantiate), both
#      with the instance-reset function the JS wrapper uses after a trap.
#   3. wasm-opt -O3 (-O$WASM_OPT_LEVEL) on the .wasm (same binary for both targets), then a load check.
#   4. the hand-written JS/TS from pkg-src, package.json, README.
#
# Env: WASM_OPT_LEVEL (default 3; s or z for size), WASM_SIMD (default 1: build with simd128).
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"

want_bindgen=0.2.130
have_bindgen=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}') || true
if [ "$have_bindgen" != "$want_bindgen" ]; then
  echo "build.sh: wasm-bindgen $want_bindgen needed (found '${have_bindgen:-none}');" \
    "run scripts/setup.sh or: cargo install wasm-bindgen-cli --version $want_bindgen" >&2
  exit 1
fi

root=$(cd .. && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
opt=${WASM_OPT_LEVEL:-3}
case $opt in [0-3]) opt_toml=$opt ;; *) opt_toml="\"$opt\"" ;; esac
rustflags=""
opt_features=(--enable-bulk-memory --enable-sign-ext --enable-mutable-globals
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue)
if [ "${WASM_SIMD:-1}" = 1 ]; then
  rustflags="-C target-feature=+simd128"
  opt_features+=(--enable-simd)
fi

RUSTFLAGS="$rustflags" cargo build -q -p eindkomst-wasm --lib \
  --target wasm32-unknown-unknown \
  --config 'profile.wasm-release.inherits="release"' \
  --config "profile.wasm-release.opt-level=$opt_toml" \
  --config 'profile.wasm-release.debug=false' \
  --config 'profile.wasm-release.panic="abort"' \
  --profile wasm-release
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/eindkomst_wasm.wasm"

# wasm-opt: binaryen ≥ 116 (npm devDependency `binaryen`, after `npm ci`). Debian
# bookworm's binaryen 108 mis-numbers the externref table that wasm-bindgen
# needs (the module then fails to load), so an older one is not used.
wasm_opt="" wasm_opt_version=""
for c in node_modules/.bin/wasm-opt "$(command -v wasm-opt || true)"; do
  [ -n "$c" ] && [ -x "$c" ] || continue
  v=$("$c" --version 2>/dev/null | awk '{print $3}')
  if [ "${v:-0}" -ge 116 ] 2>/dev/null; then wasm_opt=$c wasm_opt_version=$v; break; fi
done
if [ -n "$wasm_opt" ]; then
  optimised="wasm-opt -O$opt ($wasm_opt_version)"
else
  echo "build.sh: no wasm-opt ≥ 116 (run npm ci in wasm/); .wasm left unoptimised" >&2
  optimised="no wasm-opt"
fi

# wasm-bindgen and wasm-opt (about 20 s) are pure functions of cargo's .wasm and
# these settings; CI builds the package in five test parts from the same
# sources, so their output in build/bindgen is reused while this key is the
# same. The key is written last: only a complete run is reused.
key="wasm $(sha256sum <"$wasm" | cut -d' ' -f1) wasm-bindgen $have_bindgen opt $opt simd ${WASM_SIMD:-1} $optimised"
if [ "$(cat build/bindgen/key 2>/dev/null)" != "$key" ]; then
  rm -rf build/bindgen
  for t in nodejs web; do
    wasm-bindgen --target "$t" --experimental-reset-state-function --no-typescript \
      --out-dir "build/bindgen/$t" "$wasm"
  done
  cmp -s build/bindgen/nodejs/eindkomst_wasm_bg.wasm build/bindgen/web/eindkomst_wasm_bg.wasm ||
    { echo "build.sh: the two targets' .wasm differ; expected one binary" >&2; exit 1; }
  if [ -n "$wasm_opt" ]; then
    "$wasm_opt" -O"$opt" "${opt_features[@]}" build/bindgen/web/eindkomst_wasm_bg.wasm -o build/bindgen/opt.wasm
  else
    cp build/bindgen/web/eindkomst_wasm_bg.wasm build/bindgen/opt.wasm
  fi
  echo "$key" >build/bindgen/key
fi

out=build/pkg
rm -rf "$out"
mkdir -p "$out/node" "$out/web"
cp build/bindgen/nodejs/eindkomst_wasm.js "$out/node/"
cp build/bindgen/web/eindkomst_wasm.js "$out/web/"
cp build/bindgen/opt.wasm "$out/node/eindkomst_wasm_bg.wasm"
cp build/bindgen/opt.wasm "$out/web/eindkomst_wasm_bg.wasm"
cp pkg-src/node/index.cjs pkg-src/node/index.mjs pkg-src/node/package.json "$out/node/"
cp pkg-src/web/index.js "$out/web/"
cp pkg-src/api.js "$out/api.js"
# The CommonJS copy of the shared wrapper: its one export becomes module.exports.
grep -c '^export function createApi' pkg-src/api.js | grep -qx 1
sed 's/^export function createApi/function createApi/' pkg-src/api.js >"$out/api.cjs"
printf '\nmodule.exports = { createApi };\n' >>"$out/api.cjs"
cp pkg-src/index.d.ts "$out/index.d.ts"
cp pkg-src/index.d.ts "$out/index.d.cts"
cp README.md "$out/README.md"
node scripts/write-package.mjs "$out"

# The viewer: static files plus the package's browser build.
site=build/site
rm -rf "$site"
mkdir -p "$site/eindkomst"
cp -r www/. "$site/"
cp -r "$out/web" "$out/api.js" "$out/package.json" "$site/eindkomst/"

# The optimised module must still load and decode.
node -e '
  const e = require("./build/pkg/node/index.cjs");
  const r = e.decode("");
  if (r.counts.lines !== 0 || r.findings[0].code !== "empty_input") process.exit(1);
' || { echo "build.sh: the built package does not load" >&2; exit 1; }

size=$(stat -c %s "$out/web/eindkomst_wasm_bg.wasm")
gz=$(gzip -9 -c "$out/web/eindkomst_wasm_bg.wasm" | wc -c)
echo "build.sh: $out ready; eindkomst_wasm_bg.wasm $size bytes ($gz gzipped), opt-level $opt, $optimised, simd ${WASM_SIMD:-1}"
