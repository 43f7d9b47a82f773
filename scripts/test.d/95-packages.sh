#!/usr/bin/env bash
# The packages a host project consumes, each built as it is shipped and used
# from a throw-away project outside the workspace (mktemp -d), as a consumer
# would (packaging/README.md):
#   versions  every place spells Cargo.toml's version (scripts/versions.sh --check), and the check bites
#   crates    cargo package of eindkomst-core, eindkomst (std layer), -ffi, -cli (verified: each builds from its .crate alone)
#   c         packaging/c/install.sh into a temp prefix; a C program built with pkg-config, shared and static
#   maven     mvn install of the engine; a project whose pom has only the dependency
#   nuget     the .nupkg from Debian's nuget; a Mono program (mcs) against the package from a local feed
#   npm       npm pack; npm install of the tarball; Node ESM, CommonJS and a bundler-free page in Chromium
# Each consumer prints "eindkomst VERSION: 27 records, ..." for testdata/sample.txt; the exact line is checked.
# Arguments: the parts to run (default: all).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
[ "${CARGO_TARGET_DIR:-target}" = target ] || { echo "95-packages: the Java and .NET builds read target/release; unset CARGO_TARGET_DIR" >&2; exit 1; }
root=$PWD
version=$(bash scripts/versions.sh)
sample=$root/testdata/sample.txt
want="eindkomst $version: 27 records, 6001 total 6906950 øre"
work=$(mktemp -d "${TMPDIR:-/tmp}/eindkomst-packages.XXXXXX")
trap 'rm -rf "$work"' EXIT
size_of() { echo "size: $(basename "$1") $(stat -c %s "$1") bytes" >>"$work/sizes"; }

# Exactly this output, or fail showing both.
expect() {
  local what=$1 got=$2 exp=$3
  [ "$got" = "$exp" ] || { printf '%s printed:\n%s\nexpected:\n%s\n' "$what" "$got" "$exp" >&2; return 1; }
}

part_versions() {
  bash scripts/versions.sh --check
  # The check fails on drift: a copy of the tree with another version in Cargo.toml.
  local copy=$work/versions
  mkdir -p "$copy"
  git ls-files -z --cached --others --exclude-standard | xargs -0 cp -P --parents -t "$copy"
  sed -i '0,/^version = "'"$version"'"$/s//version = "99.1.2"/' "$copy/Cargo.toml"
  local out
  if out=$(bash "$copy/scripts/versions.sh" --check 2>&1); then
    echo "versions.sh --check passed with Cargo.toml at 99.1.2" >&2
    return 1
  fi
  grep -q '^versions.sh: wasm/package.json: '"$version"', but Cargo.toml says 99.1.2$' <<<"$out"
  grep -q '^versions.sh: bindings/java/pom.xml: '"$version"', but Cargo.toml says 99.1.2$' <<<"$out"
  # --write brings every place along.
  bash "$copy/scripts/versions.sh" --write >/dev/null
  bash "$copy/scripts/versions.sh" --check >/dev/null
  grep -q '<Version>99.1.2</Version>' "$copy/bindings/dotnet/Eindkomst.csproj"
}

part_crates() {
  local crates=(eindkomst-core eindkomst eindkomst-ffi eindkomst-cli)
  # A target directory of its own each run: cargo verifies each crate against the others through a
  # local registry under it, and takes a registry crate of a version it has built (or extracted into
  # $CARGO_HOME) as unchanged; in the same directory the next run at the same version was verified
  # against the last run's core (a method added to the core "did not exist").
  local packages=$work/target/package
  # --allow-dirty: a developer's uncommitted work; CI packages a clean clone.
  cargo package -q --allow-dirty --target-dir "$work/target" "${crates[@]/#/-p}" >"$work/cargo-package.log" 2>&1 \
    || { cat "$work/cargo-package.log"; return 1; }
  for c in "${crates[@]}"; do
    local crate=$packages/$c-$version.crate
    [ -s "$crate" ] || { echo "no $crate" >&2; return 1; }
    size_of "$crate"
    local files manifest
    files=$(tar tzf "$crate")
    for f in Cargo.toml README.md LICENSE-MIT LICENSE-APACHE src/lib.rs; do
      grep -qx "$c-$version/$f" <<<"$files" || { echo "$crate lacks $f" >&2; return 1; }
    done
    manifest=$(tar xzf "$crate" -O "$c-$version/Cargo.toml")
    grep -q '^license = "MIT OR Apache-2.0"$' <<<"$manifest"
    grep -q '^readme = "README.md"$' <<<"$manifest"
    grep -q '^\[package.metadata.docs.rs\]$' <<<"$manifest"
    ! grep -q '^path = "\.\./' <<<"$manifest" || { echo "$crate: a path dependency" >&2; return 1; }
  done
  # (No `| grep -q` on a pipe: with pipefail, grep's early exit fails the writer with SIGPIPE.)
  files=$(tar tzf "$packages/eindkomst-core-$version.crate")
  grep -qx "eindkomst-core-$version/src/sample.txt" <<<"$files"
  manifest=$(tar xzf "$packages/eindkomst-cli-$version.crate" -O "eindkomst-cli-$version/Cargo.toml")
  grep -A1 -x '\[dependencies.eindkomst-core\]' <<<"$manifest" | grep -x "version = \"=$version\"" >/dev/null
}

part_c() {
  local prefix=$work/prefix project=$work/c
  bash packaging/c/install.sh "$prefix"
  export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
  expect "pkg-config --modversion" "$(pkg-config --modversion eindkomst)" "$version"
  local flags
  flags=$(pkg-config --cflags --libs eindkomst)
  expect "pkg-config --cflags --libs" "${flags% }" "-I$prefix/include -L$prefix/lib -leindkomst"
  size_of "$prefix/lib/libeindkomst.so"
  size_of "$prefix/lib/libeindkomst.a"
  mkdir -p "$project"
  cp packaging/c/consumer.c "$project/"
  cd "$project"
  local line="eindkomst $version (header $version): 27 records, 7 of type 6001"
  # Shared: flags from pkg-config only; the library found at run time through LD_LIBRARY_PATH.
  # shellcheck disable=SC2046
  gcc -std=c99 -Wall -Wextra -Werror consumer.c $(pkg-config --cflags --libs eindkomst) -o shared
  expect "shared consumer" "$(LD_LIBRARY_PATH="$(pkg-config --variable=libdir eindkomst)" ./shared "$sample")" "$line"
  # Static: libeindkomst.a plus Libs.private (what the Rust runtime needs).
  local libs
  libs=$(pkg-config --static --libs eindkomst)
  # shellcheck disable=SC2046,SC2086
  gcc -std=c99 -Wall -Wextra -Werror consumer.c $(pkg-config --cflags eindkomst) ${libs/-leindkomst/-l:libeindkomst.a} -o static
  local dynamic
  dynamic=$(readelf -d static)
  ! grep -q 'libeindkomst' <<<"$dynamic" || { echo "static consumer needs libeindkomst.so" >&2; return 1; }
  expect "static consumer" "$(env -u LD_LIBRARY_PATH ./static "$sample")" "$line"
}

part_maven() {
  local project=$work/maven log=$work/maven.log
  local m2=$HOME/.m2/repository/dk/eindkomst/eindkomst/$version
  cargo build -q --release -p eindkomst-ffi
  # The tests of the engine run in 71-java.sh; here the artifact is what matters.
  mvn -q -B -Dstyle.color=never -f bindings/java/pom.xml -pl engine -am install -DskipTests >"$log" 2>&1 \
    || { cat "$log"; return 1; }
  cmp "$m2/eindkomst-$version.jar" "bindings/java/engine/target/eindkomst-$version.jar"
  size_of "$m2/eindkomst-$version.jar"
  cp -r packaging/java/consumer "$project"
  sed "s|@VERSION@|$version|" packaging/java/consumer/pom.xml.in >"$project/pom.xml"
  rm "$project/pom.xml.in"
  cd "$project"
  mvn -q -B -Dstyle.color=never compile org.apache.maven.plugins:maven-dependency-plugin:3.7.1:build-classpath \
    -Dmdep.outputFile=classpath.txt >"$log" 2>&1 || { cat "$log"; return 1; }
  # The dependency and, through its pom, JNA: nothing else was named.
  local classpath
  classpath=$(tr ':' '\n' <classpath.txt)
  grep -qx "$m2/eindkomst-$version.jar" <<<"$classpath"
  grep -q '/net/java/dev/jna/jna/5[^/]*/jna-5[^/]*\.jar$' <<<"$classpath"
  expect "maven consumer" "$(env -u LD_LIBRARY_PATH java -cp "target/classes:$(cat classpath.txt)" consumer.Main "$sample")" "$want"
}

part_nuget() {
  local feed=$work/feed project=$work/nuget
  cargo build -q --release -p eindkomst-ffi
  bash packaging/dotnet/pack.sh "$feed"
  local nupkg=$feed/Eindkomst.$version.nupkg
  size_of "$nupkg"
  local files
  files=$(unzip -Z1 "$nupkg" | sort)
  for f in Eindkomst.nuspec lib/net45/Eindkomst.dll lib/net45/Eindkomst.xml runtimes/linux-x64/native/libeindkomst.so \
    build/Eindkomst.targets licenses/LICENSE-MIT.txt licenses/LICENSE-APACHE.txt; do
    grep -qx "$f" <<<"$files" || { echo "$nupkg lacks $f" >&2; return 1; }
  done
  local nuspec
  nuspec=$(unzip -p "$nupkg" Eindkomst.nuspec)
  grep -q "<version>$version</version>" <<<"$nuspec"
  mkdir -p "$project"
  cp packaging/dotnet/consumer/Program.cs "$project/"
  cd "$project"
  nuget install Eindkomst -Version "$version" -Source "$feed" -OutputDirectory packages -NonInteractive -Verbosity quiet
  local pkg=packages/Eindkomst.$version
  mcs -nologo -warnaserror+ -r:"$pkg/lib/net45/Eindkomst.dll" -out:Program.exe Program.cs
  # What a packages.config project's build does: the referenced assembly and
  # (build/Eindkomst.targets) the native library go next to the program.
  cp "$pkg/lib/net45/Eindkomst.dll" "$pkg/runtimes/linux-x64/native/libeindkomst.so" .
  expect "nuget consumer" "$(env -u LD_LIBRARY_PATH LC_ALL=C.UTF-8 mono Program.exe "$sample")" "$want"
}

part_npm() {
  local project=$work/npm
  [ -d wasm/node_modules/playwright-core ] || (cd wasm && npm ci --silent --no-audit --no-fund)
  bash wasm/build.sh >/dev/null
  mkdir -p "$project"
  local tgz
  tgz=$(npm pack --silent --pack-destination "$project" wasm/build/pkg)
  expect "npm pack" "$tgz" "eindkomst-$version.tgz"
  size_of "$project/$tgz"
  cp packaging/npm/consumer/* "$sample" "$project/"
  cd "$project"
  echo '{ "name": "consumer", "private": true }' >package.json
  npm install --offline --silent --no-audit --no-fund "./$tgz"
  expect "installed package.json version" "$(node -p 'require("eindkomst/package.json").version')" "$version"
  expect "Node ESM consumer" "$(node esm.mjs "$sample")" "$want"
  expect "Node CommonJS consumer" "$(node cjs.cjs "$sample")" "$want"
  expect "browser page" "$(node "$root/packaging/npm/browser.mjs" "$project")" "$want
requests: / /node_modules/eindkomst/api.js /node_modules/eindkomst/web/eindkomst_wasm.js /node_modules/eindkomst/web/eindkomst_wasm_bg.wasm /node_modules/eindkomst/web/index.js /sample.txt"
}

parts=(versions crates c maven nuget npm)
[ $# -eq 0 ] || parts=("$@") # e.g. `bash scripts/test.d/95-packages.sh c npm` while working on those
passed=0 failed=0
for part in "${parts[@]}"; do
  start=$(date +%s)
  set +e
  (set -e; "part_$part")
  rc=$?
  set -e
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    echo "ok - $part ($(($(date +%s) - start)) s)"
  else
    failed=$((failed + 1))
    echo "not ok - $part ($(($(date +%s) - start)) s)"
  fi
done
cat "$work/sizes" 2>/dev/null || true
echo "packages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
