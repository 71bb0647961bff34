#!/usr/bin/env bash
# Fuzzes the signature header parser, the Stripe event parser and the booking form parser with
# cargo-fuzz (libFuzzer, nightly), each for SECONDS (default 60). Not part of scripts/test.sh;
# the proptest generators in the suite cover the same parsers on every run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo +nightly install cargo-fuzz --locked
fi
for target in signature_header stripe_event booking_form; do
  echo "== $target ($seconds s)"
  cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -print_final_stats=1 2>&1 \
    | grep -E "^(#[0-9]+ +DONE|Done|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+== ERROR|SUMMARY)" || true
  if [ -d "fuzz/artifacts/$target" ] && [ -n "$(ls -A "fuzz/artifacts/$target" 2>/dev/null)" ]; then
    echo "crash found: fuzz/artifacts/$target" >&2
    exit 1
  fi
done
echo "no crash"
