#!/usr/bin/env bash
# Installs every prerequisite for building, running and testing depin-node.
# Idempotent: a second run only checks. Safe on a fresh Debian/Ubuntu machine
# with rustup. RUSTUP_AUTO_INSTALL=0 may be set, so targets are added explicitly.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

log() { printf '[setup] %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------
# protoc: litep2p / sc-network build scripts. The node uses ParityDB only, so
# no RocksDB C++ build and no clang/libclang is needed (see docs/architecture.md).
apt_pkgs=(protobuf-compiler pkg-config libssl-dev git curl ca-certificates)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  log "Debian packages present"
fi

# --- Rust toolchain ----------------------------------------------------------
if ! command -v rustup >/dev/null 2>&1; then
  log "rustup not found; install it from https://rustup.rs and re-run" >&2
  exit 1
fi
toolchain="$(rustup show active-toolchain 2>/dev/null | awk '{print $1}')"
log "rust toolchain: ${toolchain:-unknown} ($(rustc --version))"
installed_targets="$(rustup target list --installed)"
for t in wasm32v1-none wasm32-unknown-unknown; do
  if ! grep -qx "$t" <<<"$installed_targets"; then
    log "rustup target add $t"
    rustup target add "$t"
  fi
done
if ! rustup component list --installed | grep -q '^rust-src'; then
  log "rustup component add rust-src"
  rustup component add rust-src
fi

# --- Node.js for the end-to-end tests (polkadot.js) ---------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  log "installing nodejs + npm"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi
if [ -f e2e/package-lock.json ]; then
  if [ ! -d e2e/node_modules/@polkadot/api ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
    log "npm ci (e2e)"
    (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
  else
    log "e2e node_modules present"
  fi
fi

log "done"
