#!/usr/bin/env bash
# Installs everything sealdrop's build, demo and tests need on a fresh Debian machine of this
# kind (as root), and skips what is already there: a second run installs nothing and takes
# seconds. Versions follow ../shared/TOOLCHAIN.md; wasm-bindgen follows Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }

# 1. Debian packages: Chromium and its driver (browser tests), Go age (interop), brotli (sizes),
#    wrk (receiver benchmark), PostgreSQL (the shared store's tests; a throwaway cluster each run),
#    and Japanese and Chinese fonts (5 MB), without which Chromium draws the ja and zh-CN forms,
#    their layout tests and screenshots in empty boxes (DejaVu already covers Arabic).
apt_pkgs=(chromium chromium-driver age brotli wrk curl postgresql fonts-ipafont-gothic fonts-wqy-microhei)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  log "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. Rust toolchain and wasm target (pinned by rust-toolchain.toml; rustup installs on demand).
if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 3. Cargo-installed tools, at the versions the build needs.
export PATH="$HOME/.cargo/bin:$PATH"
wbg_version=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wbg_version" ]]; then
  log "installing wasm-bindgen-cli $wbg_version (about 4 minutes)"
  cargo install -q wasm-bindgen-cli --version "$wbg_version" --force
fi
if ! command -v wasm-pack >/dev/null; then
  log "installing wasm-pack (about 8 minutes)"
  cargo install -q wasm-pack --locked
fi
if [[ "$(trunk --version 2>/dev/null || true)" != "trunk 0.21.14" ]]; then
  log "installing trunk 0.21.14 (8 to 16 minutes)"
  cargo install -q trunk --version 0.21.14 --locked --force
fi

if [[ "$(cargo fuzz --version 2>/dev/null || true)" != "cargo-fuzz 0.13.2" ]]; then
  log "installing cargo-fuzz 0.13.2 (about 2 minutes)"
  cargo install -q cargo-fuzz --version 0.13.2 --locked --force
fi

# 4. npm tools (wasm-opt from binaryen, typage, Playwright core, axe), pinned by package-lock.json.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "installing npm tools"
  npm ci --no-audit --no-fund --loglevel=error
fi

# 5. Crates, so later builds can run offline.
cargo fetch -q
log "ready"
