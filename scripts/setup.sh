#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh Debian machine.
# Idempotent: each step checks first, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate version in Cargo.lock
CBINDGEN_VERSION=0.29.4
CARGO_FUZZ_VERSION=0.13.2

log() { printf '[setup] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# nuget, pkg-config, unzip: the package tests (95-packages.sh) build and open a .nupkg and use eindkomst.pc.
apt_pkgs=(valgrind mono-devel chromium binaryen rabbitmq-server openssh-server openssh-client jq nuget pkg-config unzip)
missing=()
for p in "${apt_pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # rabbitmq-server's package starts a system broker; tests run their own on other ports.
  as_root systemctl disable --now rabbitmq-server >/dev/null 2>&1 || as_root service rabbitmq-server stop >/dev/null 2>&1 || true
fi

rustup target list --installed | grep -q wasm32-unknown-unknown || { log "rustup target add wasm32"; rustup target add wasm32-unknown-unknown; }
rustup target list --installed | grep -q wasm32-wasip1 || { log "rustup target add wasm32-wasip1"; rustup target add wasm32-wasip1; }
rustup toolchain list | grep -q '^nightly' || { log "rustup nightly"; rustup toolchain install nightly --profile minimal; }
# The oldest Rust the crates say they build with (rust-version; 10-rust.sh checks).
for v in 1.80 1.85; do
  rustup toolchain list | grep -q "^$v" || { log "rustup $v"; rustup toolchain install "$v" --profile minimal; }
done
rustup component list --toolchain nightly --installed | grep -q '^miri' || rustup component add --toolchain nightly miri rust-src
command -v clippy-driver >/dev/null || rustup component add clippy rustfmt

# --locked first (reproducible); the registry mirror may lack a locked version, so fall back.
cargo_install() { cargo install -q --locked "$@" 2>/dev/null || cargo install -q "$@"; }
have() { command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q "$2"; }
have wasm-bindgen "$WASM_BINDGEN_VERSION" || { log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"; cargo_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"; }
have cbindgen "$CBINDGEN_VERSION" || { log "cargo install cbindgen $CBINDGEN_VERSION"; cargo_install cbindgen --version "$CBINDGEN_VERSION"; }
cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION" || { log "cargo install cargo-fuzz $CARGO_FUZZ_VERSION"; cargo_install cargo-fuzz --version "$CARGO_FUZZ_VERSION"; }
# wasm/: the npm devDependencies (binaryen's wasm-opt, playwright-core, typescript), exactly as locked.
[ -d wasm/node_modules/playwright-core ] || { log "npm ci in wasm/"; (cd wasm && npm ci --silent --no-audit --no-fund); }
log "ready"

# benches/peers: pandas for the read_fwf peer, in a venv of its own (not the system Python).
PEERS_VENV=benches/peers/.venv
if ! "$PEERS_VENV/bin/python" -c 'import pandas' >/dev/null 2>&1; then
  python3 -c 'import ensurepip' >/dev/null 2>&1 || { as_root apt-get update -qq; DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3-venv >/dev/null; }
  log "venv with pandas for benches/peers"
  python3 -m venv "$PEERS_VENV"
  "$PEERS_VENV/bin/pip" install -q pandas==3.1.1
fi
# benches/peers: Maven builds the Java peers (hand-written parser, BeanIO).
command -v mvn >/dev/null 2>&1 || { log "apt-get install maven"; as_root apt-get update -qq; DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends maven >/dev/null; }
# bindings/java: a JDK (javac, jar) for the Maven build and the README example; bindings/dotnet: mcs and mono (mono-devel above).
command -v javac >/dev/null 2>&1 && command -v jar >/dev/null 2>&1 || { log "apt-get install openjdk-17-jdk-headless"; as_root apt-get update -qq; DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless >/dev/null; }
# benches/peers: peak memory of each contender comes from GNU time.
[ -x /usr/bin/time ] || { log "apt-get install time"; as_root apt-get update -qq; DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq time >/dev/null; }
# Transport tests (80-transport-java, 81-transport-node): openssl makes the throw-away TLS certificates;
# rabbitmq-server and openssh-server/-client are installed above.
command -v openssl >/dev/null 2>&1 || { log "apt-get install openssl"; as_root apt-get update -qq; DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends openssl >/dev/null; }
# The Beskedfordeler REST receiver tests play Beskedfordeler with curl (client certificates, TLS 1.2).
command -v curl >/dev/null 2>&1 || { log "apt-get install curl"; as_root apt-get update -qq; DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends curl ca-certificates >/dev/null; }
