#!/usr/bin/env bash
# The release build on its first try, as an operator makes it: `scripts/run.sh --release` after
# the debug build of scripts/test.sh, with no wasm-opt of the machine's own on PATH. Then the
# release server answers: the booking form, and the hashed wasm as its brotli copy.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
work=$(mktemp -d /tmp/booking-release-test.XXXXXX)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "test-release: $*" >&2; tail -40 "$work/run.log" >&2 || true; exit 1; }

# A PATH without end2end/node_modules/.bin: the script must find binaryen's wasm-opt itself.
path_without_node_bin=$(echo "$PATH" | tr ':' '\n' | grep -v "end2end/node_modules" | paste -sd:)
if PATH="$path_without_node_bin" command -v wasm-opt >/dev/null; then
  echo "test-release: note: this machine has its own wasm-opt on PATH" >&2
fi

env -u RUSTFLAGS PATH="$path_without_node_bin" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
  DATABASE_URL="sqlite://$work/release.db" PAYMENT_MODE=simulated RUST_LOG=warn \
  scripts/run.sh --release >"$work/run.log" 2>&1 &
server=$!
# The build comes first (about 15 minutes from a clean target on 2 cores): wait for it.
for _ in $(seq 1 2400); do
  kill -0 "$server" 2>/dev/null || fail "scripts/run.sh --release stopped before serving"
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 1
done
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || fail "no answer on /readyz"

page=$(curl -sf "http://127.0.0.1:$port/book") || fail "GET /book failed"
grep -q '<form' <<<"$page" || fail "/book has no form"
wasm=$(sed -n 's/^wasm: //p' target/site/hash.txt)
[ -n "$wasm" ] || fail "target/site/hash.txt names no wasm"
grep -q "booking.$wasm.wasm\|booking\.$wasm" <<<"$page" || fail "/book does not load booking.$wasm.wasm"
headers=$(curl -sf -o "$work/booking.wasm.br" -D - -H 'Accept-Encoding: br' \
  "http://127.0.0.1:$port/pkg/booking.$wasm.wasm") || fail "GET the wasm failed"
grep -qi '^content-encoding: br' <<<"$headers" || fail "the wasm was not sent as its brotli copy"
# The release wasm went through wasm-opt: about 1 MB (2.3 MB as the compiler leaves it).
size=$(stat -c %s "target/site/pkg/booking.$wasm.wasm")
[ "$size" -lt 2000000 ] || fail "the release wasm is $size bytes: not optimised?"
[ -x target/release/server ] || fail "no target/release/server"
echo "test-release: scripts/run.sh --release built and served on its first try (wasm $((size / 1024)) KB)"
