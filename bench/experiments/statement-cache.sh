#!/usr/bin/env bash
# Whether the webhook's writer loses PostgreSQL's CPU to statements parsed and planned again.
# The writer's statements are written for the number of rows of their batch (1 to 64), so each
# (statement, size) is a prepared statement of its own; sqlx keeps 100 per connection by
# default and drops the least recently used. This runs the bench's deliveries on PostgreSQL
# (durable settings, 100,000 seeded bookings, 20,000 deliveries at 32 in flight, as
# bench/run.sh) with the cache at each capacity given (default: 100 1000), ROUNDS times each,
# alternating, each on a fresh copy of one seed, and prints deliveries/s, p99, and the
# server's and PostgreSQL's CPU per delivery.
# Needs target/release/server and target/release/bench (bench/run.sh builds both).
# A variant CAPACITY-noplace drops the place-count indexes (migration place_counts) from the
# copy first, to weigh what they cost a payment.
#   bench/experiments/statement-cache.sh [ROUNDS] [VARIANT...]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-2}
shift || true
capacities=("${@:-100 1000}")
# shellcheck disable=SC2206
capacities=(${capacities[*]})
secret="whsec_benchmark_secret_0123456789"
dir=$(mktemp -d /tmp/statement-cache.XXXXXX)
chmod 755 "$dir"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  scripts/postgres.sh stop "$dir/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT
url=$(PG_DURABLE=1 scripts/postgres.sh start "$dir/pg")
base=${url%/*}
psql "$url" -qc "CREATE DATABASE seed"
target/release/bench seed "$base/seed" 100000 >/dev/null
pg_cpu_ticks() {
  local postmaster
  postmaster=$(head -1 "$dir/pg/data/postmaster.pid")
  { echo "$postmaster"; pgrep -P "$postmaster"; } | while read -r pid; do
    cat "/proc/$pid/stat" 2>/dev/null || true
  done | awk '{ t += $14 + $15 } END { print t + 0 }'
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
tck=$(getconf CLK_TCK)
n=0
for round in $(seq 1 "$rounds"); do
  for variant in "${capacities[@]}"; do
    n=$((n + 1))
    capacity=${variant%%-*}
    psql "$url" -qc "CREATE DATABASE run$n TEMPLATE seed"
    if [ "$variant" != "$capacity" ]; then
      psql "$base/run$n" -qc "DROP INDEX bookings_firm, bookings_held, bookings_present"
    fi
    port=$(free_port)
    DATABASE_URL="$base/run$n?statement-cache-capacity=$capacity" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
      LEPTOS_SITE_ROOT=target/site PAYMENT_MODE=simulated STRIPE_WEBHOOK_SECRET="$secret" \
      DATABASE_MAX_CONNECTIONS=48 ADMIN_EMAIL=bench@example.com ADMIN_PASSWORD=benchmark-admin-password \
      MAX_IN_FLIGHT_REQUESTS=4096 MAX_CONNECTIONS_PER_CLIENT=1024 WEBHOOK_MAX_IN_FLIGHT=1024 \
      RUST_LOG=error target/release/server >"$dir/server-$n.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.05; done
    cpu_before=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
    db_before=$(pg_cpu_ticks)
    out=$(target/release/bench webhooks "http://127.0.0.1:$port" "$secret" 20000 32 1)
    cpu_after=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
    db_after=$(pg_cpu_ticks)
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    throughput=$(awk '/webhook_throughput/ {print $2}' <<<"$out")
    p99=$(awk '/webhook_p99_ms/ {print $2}' <<<"$out")
    echo "$variant round $round: $throughput deliveries/s, p99 $p99 ms," \
      "server $(((cpu_after - cpu_before) * 1000000 / tck / 20000)) us," \
      "PostgreSQL $(((db_after - db_before) * 1000000 / tck / 20000)) us per delivery"
  done
done
