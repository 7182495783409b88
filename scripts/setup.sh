#!/usr/bin/env bash
# Shared set-up for scripts/serve.sh and scripts/test.sh.
#
# Source it (`. scripts/setup.sh`) and call `setup_build` or `setup_test`, or run it directly:
#   bash scripts/setup.sh build   # what `trunk build --release` needs
#   bash scripts/setup.sh test    # the above, plus Chromium, the e2e npm packages and the golden venv
#
# Every step checks what is already present (by version) and skips it, so a second run is quick.
# Everything comes from a package registry: crates.io, npm, Debian, PyPI. Nothing else is reachable.

set -euo pipefail

KL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KL_TRUNK_VERSION="0.21.14"
KL_BINARYEN_VERSION="132.0.0"   # npm package `binaryen`; `wasm-opt --version` reports `version 132`
KL_VENV="$KL_ROOT/.venv-golden"
KL_BRIDGE_VENV="$KL_ROOT/.venv-bridge"

export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

kl_log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
kl_die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
kl_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The wasm-bindgen version that Cargo.lock pins; the CLI must equal it exactly.
kl_wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$KL_ROOT/Cargo.lock"
}

kl_need() { command -v "$1" >/dev/null 2>&1 || kl_die "$1 is required but not on PATH${2:+ ($2)}"; }

setup_wasm_target() {
  kl_need rustup "the Rust toolchain is installed with rustup"
  if rustup target list --installed | grep -x wasm32-unknown-unknown >/dev/null; then
    kl_log "wasm32-unknown-unknown target: present"
  else
    kl_log "installing the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

setup_trunk() {
  if trunk --version 2>/dev/null | grep "$KL_TRUNK_VERSION" >/dev/null; then
    kl_log "trunk $KL_TRUNK_VERSION: present"
  else
    # Unversioned installs pick 0.22.x, which needs a newer rustc. Takes about 8 minutes on 2 cores.
    kl_log "installing trunk $KL_TRUNK_VERSION (cargo install, about 8 minutes)"
    cargo install trunk --version "$KL_TRUNK_VERSION" --locked
  fi
}

setup_wasm_bindgen() {
  local version
  version="$(kl_wasm_bindgen_version)"
  [ -n "$version" ] || kl_die "could not read the wasm-bindgen version from Cargo.lock"
  if wasm-bindgen --version 2>/dev/null | grep -x "wasm-bindgen $version" >/dev/null \
     && wasm-bindgen-test-runner --version 2>/dev/null | grep "$version" >/dev/null; then
    kl_log "wasm-bindgen-cli $version: present"
  else
    # Not --locked: its lockfile wants a webpki-roots version the registry does not serve.
    kl_log "installing wasm-bindgen-cli $version (cargo install, about 5 minutes)"
    cargo install wasm-bindgen-cli --version "=$version"
  fi
}

setup_wasm_opt() {
  kl_need node "wasm-opt from npm is a Node script"
  local major="${KL_BINARYEN_VERSION%%.*}"
  if wasm-opt --version 2>/dev/null | grep "version $major\b" >/dev/null; then
    kl_log "wasm-opt $major: present"
  else
    # Never Debian's binaryen: its wasm-opt 108 cannot parse what rustc 1.95 emits.
    kl_log "installing wasm-opt from npm binaryen@$KL_BINARYEN_VERSION"
    npm install -g --no-fund --no-audit "binaryen@$KL_BINARYEN_VERSION"
    hash -r
    wasm-opt --version | grep "version $major\b" >/dev/null \
      || kl_die "wasm-opt on PATH is $(command -v wasm-opt): $(wasm-opt --version); want version $major"
  fi
}

# Debian's Chromium and ChromeDriver, and a Korean font so that screenshots of the (default)
# Korean UI are legible.
setup_chromium() {
  if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
     && fc-list :lang=ko 2>/dev/null | grep . >/dev/null; then
    kl_log "chromium, chromedriver and a Korean font: present"
  else
    kl_log "installing chromium, chromium-driver and fonts-nanum (apt-get)"
    kl_as_root apt-get update -qq
    kl_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-nanum </dev/null
  fi
}

setup_e2e_npm() {
  kl_need npm
  local dir="$KL_ROOT/tests/e2e" stamp="$KL_ROOT/tests/e2e/node_modules/.kafkalab-lock"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$dir/package-lock.json"; then
    kl_log "tests/e2e npm packages: present"
  else
    kl_log "installing tests/e2e npm packages (npm ci)"
    (cd "$dir" && npm ci --no-fund --no-audit)
    cp "$dir/package-lock.json" "$stamp"
  fi
}

# A Python venv at $1 with the packages of requirements file $2, rebuilt when the file changes;
# $3 names it in the log.
setup_python_venv() {
  local venv="$1" req="$2" name="$3" stamp="$1/.kafkalab-requirements"
  if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && cmp -s "$stamp" "$req"; then
    kl_log "$name: present"
  else
    kl_log "creating the $name from ${req#"$KL_ROOT"/}"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
    cp "$req" "$stamp"
  fi
}

setup_golden_venv() {
  setup_python_venv "$KL_VENV" "$KL_ROOT/tests/golden/requirements.txt" "golden venv (.venv-golden)"
}

# The real Kafka clients the bridge tests drive (`kafkalab broker`): kafka-python and
# confluent-kafka (librdkafka inside its wheel) in .venv-bridge, kafkajs from npm in
# tests/bridge/node_modules, and Debian's kcat.
setup_bridge_clients() {
  setup_python_venv "$KL_BRIDGE_VENV" "$KL_ROOT/tests/bridge/requirements.txt" "bridge venv (.venv-bridge)"
  local dir="$KL_ROOT/tests/bridge" npm_stamp="$KL_ROOT/tests/bridge/node_modules/.kafkalab-lock"
  if [ -f "$npm_stamp" ] && cmp -s "$npm_stamp" "$dir/package-lock.json"; then
    kl_log "bridge npm packages (kafkajs): present"
  else
    kl_need npm "Node.js and npm come from Debian's nodejs and npm packages"
    kl_log "installing the bridge npm packages (kafkajs)"
    (cd "$dir" && npm ci --no-fund --no-audit)
    cp "$dir/package-lock.json" "$npm_stamp"
  fi
  if command -v kcat >/dev/null 2>&1; then
    kl_log "kcat: present"
  else
    kl_log "installing kcat (apt-get)"
    kl_as_root apt-get update -qq
    kl_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat
  fi
}

# What building the web app needs.
setup_build() {
  setup_wasm_target
  setup_trunk
  setup_wasm_bindgen
  setup_wasm_opt
}

# What running every test needs.
setup_test() {
  setup_build
  setup_chromium
  setup_e2e_npm
  setup_golden_venv
  setup_bridge_clients
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-test}" in
    build) setup_build ;;
    test) setup_test ;;
    *) kl_die "usage: $0 [build|test]" ;;
  esac
fi
