#!/usr/bin/env bash
# Runs the app on its defaults: SQLite under data/, simulated payments, http://127.0.0.1:3000.
# Builds the site as scripts/test.sh does (hashed names, brotli and gzip copies), then serves it
# with the server binary. Arguments go to `cargo leptos build` (e.g. --release).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The same flags cargo-leptos uses for dev builds, so `cargo run` reuses its artifacts.
export RUSTFLAGS="--cfg erase_components"
cargo leptos build --split "$@"
cargo run -q -p style --bin precompress -- --quick
profile=debug
for arg in "$@"; do
  if [ "$arg" = "--release" ] || [ "$arg" = "-r" ]; then profile=release; fi
done
exec "target/$profile/server"
