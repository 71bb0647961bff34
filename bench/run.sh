#!/usr/bin/env bash
# The performance benchmark, one command: bench/run.sh [BOOKINGS] [DELIVERIES] [CONCURRENCY]
# (defaults 100000, 20000, 32; BOOKINGS may list sizes, e.g. 100000,1000000, each measured
# in turn and then set side by side). For each size, for SQLite and then a throwaway PostgreSQL (durable settings):
# seeds the bookings, starts the release server, fires distinct pre-signed webhook deliveries
# from a separate load process and reads the server's peak RSS, measures the database's own
# ceiling for the same ledger insert + conditional update, times the admin bookings page for
# several filters and the CSV export of every booking; then the release wasm size, and what a
# parent's phone downloads for the booking form (first and repeat visit, bytes as served) and
# how soon it is interactive under Slow 4G (Chromium, end2end/tools/page-weight.cjs).
# Prints `key value` lines and a summary; writes bench/results/latest.txt and
# bench/results/bookings-BOOKINGS.txt for each size (bench/compare.py puts sizes side by side,
# as the run does at its end when it measured several). On PostgreSQL
# also its own CPU per delivery and the HOT ratio of the bookings updates.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
sizes=${1:-100000}
deliveries=${2:-20000}
concurrency=${3:-32}
secret="whsec_benchmark_secret_0123456789"
admin_email="bench@example.com"
admin_password="benchmark-admin-password"

scripts/setup.sh >/dev/null
echo "[bench] building the release server, site and wasm (scripts/release.sh)" >&2
RELEASE_SKIP_SETUP=1 scripts/release.sh >"$root/target/release-build.log" 2>&1 \
  || { tail -40 "$root/target/release-build.log" >&2; exit 1; }
# With the flags cargo-leptos gave the release server (`always-erase-components`), so that the
# bench reuses its compiled crates instead of compiling them a second time.
RUSTFLAGS="--cfg erase_components" cargo build -q --release -p bench

out=$(mktemp -d /tmp/booking-bench.XXXXXX)
chmod 755 "$out"  # PostgreSQL runs as its own user and needs to reach its data directory
pg_dir="$out/pg"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  scripts/postgres.sh stop "$pg_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# CPU ticks (user + system) of every process of the benchmark's PostgreSQL cluster: the
# postmaster and its children.
pg_cpu_ticks() {
  local postmaster
  postmaster=$(head -1 "$pg_dir/data/postmaster.pid")
  { echo "$postmaster"; pgrep -P "$postmaster"; } | while read -r pid; do
    cat "/proc/$pid/stat" 2>/dev/null || true
  done | awk '{ t += $14 + $15 } END { print t + 0 }'
}
# The bookings table's updates and HOT updates so far: `n_tup_upd n_tup_hot_upd`.
pg_hot_counts() {
  psql -qtA -F ' ' "$1" -c "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'bookings'"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run_backend() {
  local name=$1 url=$2 pool=$3
  echo "[bench] $name: seeding $bookings bookings" >&2
  target/release/bench seed "$url" "$bookings" >/dev/null
  local port
  port=$(free_port)
  # One load generator stands for all of Stripe's senders: its connections are not capped.
  DATABASE_URL="$url" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site \
    PAYMENT_MODE=simulated STRIPE_WEBHOOK_SECRET="$secret" DATABASE_MAX_CONNECTIONS="$pool" \
    ADMIN_EMAIL="$admin_email" ADMIN_PASSWORD="$admin_password" MAX_IN_FLIGHT_REQUESTS=4096 \
    MAX_CONNECTIONS_PER_CLIENT=1024 WEBHOOK_MAX_IN_FLIGHT=1024 \
    RUST_LOG=error target/release/server >"$out/server-$name.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.05; done
  local base="http://127.0.0.1:$port"

  echo "[bench] $name: $deliveries webhook deliveries at concurrency $concurrency" >&2
  # The server's own CPU time (user + system) over the deliveries, per delivery.
  # On PostgreSQL also the database's: every process of the cluster (the backends, the WAL
  # writer, the checkpointer, ...), and how many of the bookings' updates were HOT.
  local cpu_before cpu_after db_before=0 db_after=0 hot_before="0 0" hot_after
  cpu_before=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
  if [ "$name" = postgres ]; then
    db_before=$(pg_cpu_ticks)
    hot_before=$(pg_hot_counts "$url")
  fi
  target/release/bench webhooks "$base" "$secret" "$deliveries" "$concurrency" 1 | sed "s/^/${name}_/" >>"$results"
  cpu_after=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
  echo "${name}_server_cpu_us_per_delivery $(( (cpu_after - cpu_before) * 1000000 / $(getconf CLK_TCK) / deliveries ))" >>"$results"
  if [ "$name" = postgres ]; then
    db_after=$(pg_cpu_ticks)
    echo "${name}_db_cpu_us_per_delivery $(( (db_after - db_before) * 1000000 / $(getconf CLK_TCK) / deliveries ))" >>"$results"
    # An idle backend flushes its statistics to the shared counters within 10 seconds.
    sleep 11
    hot_after=$(pg_hot_counts "$url")
    echo "$hot_before $hot_after" | awk -v n="$name" '{ u = $3 - $1; h = $4 - $2;
      printf "%s_bookings_updates %d\n%s_bookings_hot_updates %d\n%s_bookings_hot_ratio_pct %.1f\n",
        n, u, n, h, n, (u > 0 ? 100 * h / u : 0) }' >>"$results"
  fi
  echo "${name}_server_peak_rss_mb $(awk '/VmHWM/ {printf "%.1f", $2/1024}' /proc/$server_pid/status)" >>"$results"

  echo "[bench] $name: database ceiling for the same work" >&2
  target/release/bench ceiling "$url" "$deliveries" "$concurrency" $((deliveries + 1)) | sed "s/^/${name}_/" >>"$results"

  # The deliveries just changed 2 x DELIVERIES rows; autovacuum would refresh the planner's
  # statistics within a minute: do it now, so the pages are timed in that steady state.
  target/release/bench analyze "$url"
  echo "[bench] $name: admin pages at $bookings bookings" >&2
  target/release/bench pages "$base" "$admin_email" "$admin_password" 15 | sed "s/^/${name}_/" >>"$results"
  echo "[bench] $name: CSV export" >&2
  target/release/bench csv "$base" "$admin_email" "$admin_password" "$server_pid" | sed "s/^/${name}_/" >>"$results"
  # The same deliveries with four times as many in flight, on bookings nothing else here uses:
  # how the batches grow when more deliveries wait for one commit. Last, so that the pages
  # above were timed on the data of the first pass only.
  local wide=$((concurrency * 4))
  # (Deliveries skip the seed's cancelled bookings, one in six: start far enough from the end.)
  target/release/bench webhooks "$base" "$secret" "$deliveries" "$wide" $((bookings - deliveries * 6 / 5 - 6)) \
    | grep -E 'throughput|p99|failures' | sed "s/^webhook_/${name}_webhook_c${wide}_/" >>"$results"
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# Both databases at `$bookings` bookings, into `$results`; PostgreSQL in a cluster of its own.
run_size() {
  echo "bookings $bookings" >"$results"
  run_backend sqlite "sqlite://$out/bench-$bookings.db" 8
  rm -f "$out/bench-$bookings.db"*

  # PostgreSQL with its default, durable settings (fsync and synchronous commit on).
  PG_DURABLE=1 scripts/postgres.sh start "$pg_dir" >"$out/pg.url"
  local pg_url pg_bench_url
  pg_url=$(cat "$out/pg.url")
  psql -q "$pg_url" -c "CREATE DATABASE bench" >/dev/null
  pg_bench_url="${pg_url%/*}/bench"
  run_backend postgres "$pg_bench_url" 48
  # pgbench, as a second opinion on PostgreSQL's ceiling: the same two statements.
  cat >"$out/ceiling.sql" <<SQL
\set id random($((2 * deliveries + 1)), $((bookings - deliveries)))
\set r random(1, 1000000000)
BEGIN;
INSERT INTO stripe_events (id, event_type, source, outcome, summary, received_at)
  VALUES ('pgb_' || :client_id || '_' || :r, 'checkout.session.completed', 'webhook', 'received', '{}', 0)
  ON CONFLICT (id) DO NOTHING;
UPDATE bookings SET payment_status = 'paid', updated_at = 1, paid_at = 1 WHERE id = :id AND payment_status = 'unpaid';
END;
SQL
  pgbench -n -c "$concurrency" -j 2 -t $((deliveries / concurrency)) -f "$out/ceiling.sql" "$pg_bench_url" \
    >"$out/pgbench.txt" 2>&1 || cat "$out/pgbench.txt" >&2
  awk '/^tps/ {printf "postgres_pgbench_tps %.0f\n", $3}' "$out/pgbench.txt" >>"$results"
  scripts/postgres.sh stop "$pg_dir" >/dev/null
}

for bookings in ${sizes//,/ }; do
  results="$out/results-$bookings.txt"
  run_size
done
# What follows does not depend on the data's size: it is measured once, into `$page`, and
# added to each size's figures.
page="$out/page.txt"
: >"$page"

# The main module is what every page loads (all a parent ever needs); the admin's pages add
# their lazily loaded chunks (listed in the split manifest) on top. Names carry their hashes
# (target/site/hash.txt); `.br` is the brotli copy the server sends.
hashed() { sed -n "s/^$1: //p" target/site/hash.txt; }
wasm=target/site/pkg/booking.$(hashed wasm).wasm
echo "wasm_raw_kb $(( $(stat -c %s "$wasm") / 1024 ))" >>"$page"
echo "wasm_gzip_kb $(( $(gzip -9 -c "$wasm" | wc -c) / 1024 ))" >>"$page"
echo "wasm_br_kb $(( $(stat -c %s "$wasm.br") / 1024 ))" >>"$page"
python3 - target/site/pkg "__wasm_split_manifest.$(hashed manifest).json" >>"$page" <<'PY'
import gzip, json, pathlib, sys
pkg = pathlib.Path(sys.argv[1])
manifest = json.loads((pkg / sys.argv[2]).read_text())
chunks = {c for key, names in manifest.items()
          if key.startswith(("__layout_route_view", "__bookings_route_view")) for c in names}
raw = [(pkg / f"{c}.wasm").read_bytes() for c in chunks]
print("wasm_admin_chunks_raw_kb", sum(map(len, raw)) // 1024)
print("wasm_admin_chunks_gzip_kb", sum(len(gzip.compress(b, 9)) for b in raw) // 1024)
print("wasm_admin_chunks_br_kb", sum((pkg / f"{c}.wasm.br").stat().st_size for c in chunks) // 1024)
PY

# The parent's booking form on a fresh database (the demo sessions of simulated mode), through
# Chromium: bytes as served on a first and a repeat visit, and the time to interactive (median
# of five first visits) at 1.6 Mbps, 150 ms round trips and a CPU four times slower.
echo "[bench] the parent's booking form in Chromium (bytes, Slow 4G)" >&2
port=$(free_port)
DATABASE_URL="sqlite://$out/parent.db" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site \
  PAYMENT_MODE=simulated RUST_LOG=error target/release/server >"$out/server-parent.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.05; done
(cd end2end && node tools/page-weight.cjs "http://127.0.0.1:$port" /book 5) >>"$page" 2>"$out/page-weight.log" \
  || { cat "$out/page-weight.log" >&2; exit 1; }
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""

mkdir -p bench/results
files=()
for bookings in ${sizes//,/ }; do
  results="$out/results-$bookings.txt"
  cat "$page" >>"$results"
  # Kept by size: `python3 bench/compare.py bench/results/bookings-*.txt` sets them side by side.
  cp "$results" "bench/results/bookings-$bookings.txt"
  files+=("bench/results/bookings-$bookings.txt")
done
for file in "${files[@]}"; do cat "$file"; done >bench/results/latest.txt
# A delivery that failed makes the run's figures meaningless: say so and fail.
if awk '/_failures / && $2 != 0 { bad = 1 } END { exit !bad }' bench/results/latest.txt; then
  grep '_failures ' bench/results/latest.txt >&2
  echo "[bench] some deliveries failed; the figures above do not count" >&2
  exit 1
fi
for bookings in ${sizes//,/ }; do
  results="bench/results/bookings-$bookings.txt"
  echo "== $bookings bookings"
  cat "$results"
  echo
  awk -v c="$concurrency" '
  { v[$1] = $2 }
  END {
    for (b = 1; b <= 2; b++) {
      n = (b == 1) ? "sqlite" : "postgres";
      printf "%s: %d deliveries/s (p50 %s ms, p99 %s ms), ceiling %d tx/s -> %.0f%%; %s us of server CPU per delivery; peak RSS %s MB\n", n,
        v[n "_webhook_throughput"], v[n "_webhook_p50_ms"], v[n "_webhook_p99_ms"],
        v[n "_ceiling_throughput"], 100 * v[n "_webhook_throughput"] / v[n "_ceiling_throughput"],
        v[n "_server_cpu_us_per_delivery"], v[n "_server_peak_rss_mb"];
      if (n == "postgres")
        printf "postgres: %s us of PostgreSQL CPU per delivery; %s%% of the bookings updates HOT (%s of %s)\n",
          v["postgres_db_cpu_us_per_delivery"], v["postgres_bookings_hot_ratio_pct"],
          v["postgres_bookings_hot_updates"], v["postgres_bookings_updates"];
      printf "%s, %d in flight: %d deliveries/s (p99 %s ms)\n", n, 4 * c,
        v[n "_webhook_c" 4 * c "_throughput"], v[n "_webhook_c" 4 * c "_p99_ms"];
    }
  }' "$results"
  echo
done
awk '
  { v[$1] = $2 }
  END {
    printf "wasm: %s KB raw, %s KB gzipped, %s KB brotli; the admin dashboard adds %s KB raw, %s KB gzipped, %s KB brotli\n",
      v["wasm_raw_kb"], v["wasm_gzip_kb"], v["wasm_br_kb"], v["wasm_admin_chunks_raw_kb"],
      v["wasm_admin_chunks_gzip_kb"], v["wasm_admin_chunks_br_kb"];
    printf "parent booking form: first visit %s KB, repeat visit %s KB as served; interactive in %s ms under Slow 4G (slowest %s ms)\n",
      v["parent_first_visit_kb"], v["parent_repeat_visit_kb"], v["parent_form_interactive_ms"],
      v["parent_form_interactive_max_ms"];
  }' "$page"
if [ "${#files[@]}" -gt 1 ]; then
  echo
  echo "How the figures grow with the data (bench/compare.py ${files[*]}):"
  python3 bench/compare.py "${files[@]}"
fi
