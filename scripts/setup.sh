#!/usr/bin/env bash
# Installs what the project needs and is missing; skips what is present (a second run does no
# install work). Needs rustup, cargo, node/npm and apt (as root) on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
cargo_leptos_version=0.3.11
wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

# 1. The pinned Rust toolchain with the wasm target, rustfmt and clippy.
if ! rustup toolchain list | grep -q "^$toolchain"; then
  say "installing Rust $toolchain"
  rustup toolchain install "$toolchain" --profile minimal -c rustfmt -c clippy -t wasm32-unknown-unknown
fi
if ! rustup +"$toolchain" target list --installed | grep -q wasm32-unknown-unknown; then
  rustup +"$toolchain" target add wasm32-unknown-unknown
fi
if ! rustup +"$toolchain" component list --installed | grep -q '^clippy'; then
  rustup +"$toolchain" component add rustfmt clippy
fi

# 2. cargo-leptos, pinned (needs rustc >= 1.96).
if ! cargo leptos --version 2>/dev/null | grep -q "$cargo_leptos_version"; then
  say "installing cargo-leptos $cargo_leptos_version (about 20 minutes on 2 cores, once per machine)"
  cargo +"$toolchain" install --locked cargo-leptos --version "$cargo_leptos_version"
fi

# 3. wasm-bindgen-cli at exactly the Cargo.lock version (cargo-leptos would fetch it from GitHub).
if ! wasm-bindgen --version 2>/dev/null | grep -q " $wasm_bindgen_version\$"; then
  say "installing wasm-bindgen-cli $wasm_bindgen_version"
  # Without --locked: its lock file names a crate version the registry does not serve.
  cargo +"$toolchain" install wasm-bindgen-cli --version "=$wasm_bindgen_version" --force
fi

# 4. The end2end npm packages (Playwright, Stripe's signer), exactly as locked.
if [ ! -f end2end/node_modules/.package-lock.json ] \
  || ! cmp -s end2end/package-lock.json end2end/node_modules/.setup-lock.json; then
  say "installing end2end npm packages"
  (cd end2end && npm ci --no-audit --no-fund && cp package-lock.json node_modules/.setup-lock.json)
fi

# 5. Debian's Chromium for the browser tests (Playwright's own download does not work here).
if ! command -v chromium >/dev/null; then
  say "installing chromium from Debian"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
  fi
fi
say "ready"
