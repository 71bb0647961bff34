#!/usr/bin/env bash
# The release build, the one way: the server binary (target/release/server) and the site it
# serves (target/site: hashed wasm, JS and CSS with their brotli and gzip copies). Used by
# `scripts/run.sh --release` and `bench/run.sh`; an operator runs it as is. Extra arguments go
# to `cargo leptos build` (e.g. --frontend-only).
#
# What makes it work on the first try here:
# - `wasm-opt` comes from the npm package `binaryen` that setup installs under end2end/: without
#   a `wasm-opt` on PATH, cargo-leptos downloads Binaryen from GitHub, which is unreachable here,
#   and the release build fails once the wasm is compiled.
# - No RUSTFLAGS from the caller's dev builds: cargo-leptos sets `--cfg erase_components` itself
#   (always-erase-components), and a different RUSTFLAGS would rebuild every crate.
# - The site directory is cargo-leptos' own: it empties it and writes it again; our compressed
#   copies are written after it, never left for cargo-leptos to hash.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

[ "${RELEASE_SKIP_SETUP:-0}" = 1 ] || scripts/setup.sh >/dev/null
export PATH="$root/end2end/node_modules/.bin:$PATH"
if ! command -v wasm-opt >/dev/null || [ "$(command -v wasm-opt)" != "$root/end2end/node_modules/.bin/wasm-opt" ]; then
  echo "release.sh: end2end/node_modules/.bin/wasm-opt is missing: run scripts/setup.sh" >&2
  exit 1
fi
unset RUSTFLAGS

cargo leptos build --release --split "$@"
cargo run -q --release -p style --bin precompress
