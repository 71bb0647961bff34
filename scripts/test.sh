#!/usr/bin/env bash
# Every check and test: formatting, the generated CSS, clippy (server and browser builds), the
# Rust tests on SQLite and on a throwaway PostgreSQL, the browser tests in Chromium on both, and
# the release build an operator makes (scripts/test-release.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/setup.sh

# The same flags cargo-leptos uses for dev builds, so cargo test reuses its artifacts.
export RUSTFLAGS="--cfg erase_components"

step_start=$(date +%s)
step() {
  local now
  now=$(date +%s)
  printf '\033[1;34m[test]\033[0m %s (+%ss)\n' "$*" "$((now - step_start))"
}

step "format"
cargo fmt --all --check

step "generated CSS is up to date"
cargo run -q -p style -- --check

step "clippy: server build (ssr)"
cargo clippy -q -p domain -p app -p server -p style -p bench --all-targets -- -D warnings

step "clippy: browser build (hydrate, wasm32)"
cargo clippy -q -p frontend --target wasm32-unknown-unknown -- -D warnings

step "build the site (cargo leptos build --split), then its brotli and gzip copies"
cargo leptos build --split
cargo run -q -p style --bin precompress -- --quick

step "start a throwaway PostgreSQL"
pg_dir=$(mktemp -d /tmp/booking-test-pg.XXXXXX)
cleanup() { scripts/postgres.sh stop "$pg_dir"; }
trap cleanup EXIT
TEST_POSTGRES_URL=$(scripts/postgres.sh start "$pg_dir")
export TEST_POSTGRES_URL

step "Rust tests (SQLite and PostgreSQL)"
# One test at a time: each integration test starts a whole app in-process, and Leptos keeps
# process-wide state; two apps rendering at once in one process very rarely stall a render
# (about 1 in 10,000 page renders here, never seen with one app per process, as in production).
cargo test -q -p domain -p app -p server -p style --no-fail-fast -- --test-threads=1

step "browser tests (Chromium: projects sqlite and postgres)"
# Each server of the postgres project gets a new database of the cluster above (TEST_POSTGRES_URL).
(cd end2end && CI=1 npx playwright test)

step "the release build on its first try (scripts/run.sh --release), and its server answering"
# Last: it replaces target/site, which the browser tests above served in its debug build.
scripts/test-release.sh

step "all passed"
