#!/usr/bin/env bash
# Runs the app on its defaults: SQLite under data/, simulated payments, http://127.0.0.1:3000.
# Builds the site as scripts/test.sh does (hashed names, brotli and gzip copies), then serves it
# with the server binary. `--release` builds through scripts/release.sh (the release build an
# operator runs); other arguments go to `cargo leptos build`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
release=0
args=()
for arg in "$@"; do
  if [ "$arg" = "--release" ] || [ "$arg" = "-r" ]; then release=1; else args+=("$arg"); fi
done
if [ "$release" = 1 ]; then
  RELEASE_SKIP_SETUP=1 scripts/release.sh "${args[@]}"
  exec target/release/server
fi
# The same flags cargo-leptos uses for dev builds, so `cargo run` reuses its artifacts.
export RUSTFLAGS="--cfg erase_components"
cargo leptos build --split "${args[@]}"
cargo run -q -p style --bin precompress -- --quick
exec target/debug/server
