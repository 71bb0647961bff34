#!/usr/bin/env bash
# Where PostgreSQL's time goes during the bench's deliveries, statement by statement: runs the
# deliveries of bench/run.sh on PostgreSQL (durable settings, BOOKINGS seeded, 20,000
# deliveries at 32 in flight) with `pg_stat_statements` tracking planning too, then prints,
# for the statements of the run, their calls, how many times they were planned, and the
# milliseconds spent planning and executing, grouped by the statement's first words (a batch
# statement of each size is a statement of its own), and the totals per delivery.
# DATABASE_URL's query may carry sqlx options (QUERY, e.g. "statement-cache-capacity=1000").
# Needs target/release/server and target/release/bench (bench/run.sh builds both).
#   bench/experiments/pg-statements.sh [BOOKINGS] [QUERY]
set -euo pipefail
cd "$(dirname "$0")/../.."
bookings=${1:-100000}
query=${2:-}
deliveries=20000
secret="whsec_benchmark_secret_0123456789"
dir=$(mktemp -d /tmp/pg-statements.XXXXXX)
chmod 755 "$dir"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  scripts/postgres.sh stop "$dir/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT
url=$(PG_DURABLE=1 PG_SETTINGS="-c shared_preload_libraries=pg_stat_statements \
  -c pg_stat_statements.track_planning=on -c pg_stat_statements.max=5000" \
  scripts/postgres.sh start "$dir/pg")
base=${url%/*}
psql "$url" -qc "CREATE DATABASE bench"
target/release/bench seed "$base/bench" "$bookings" >/dev/null
psql "$base/bench" -qc "CREATE EXTENSION pg_stat_statements"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DATABASE_URL="$base/bench${query:+?$query}" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
  LEPTOS_SITE_ROOT=target/site PAYMENT_MODE=simulated STRIPE_WEBHOOK_SECRET="$secret" \
  DATABASE_MAX_CONNECTIONS=48 ADMIN_EMAIL=bench@example.com ADMIN_PASSWORD=benchmark-admin-password \
  MAX_IN_FLIGHT_REQUESTS=4096 MAX_CONNECTIONS_PER_CLIENT=1024 WEBHOOK_MAX_IN_FLIGHT=1024 \
  RUST_LOG=error target/release/server >"$dir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.05; done
psql "$base/bench" -qc "SELECT pg_stat_statements_reset()" >/dev/null
target/release/bench webhooks "http://127.0.0.1:$port" "$secret" "$deliveries" 32 1 | grep -E 'throughput|p99'
psql "$base/bench" -P pager=off <<SQL
WITH s AS (
  SELECT regexp_replace(substr(regexp_replace(query, '\s+', ' ', 'g'), 1, 60), '\\\$[0-9]+', '\$n', 'g') AS statement,
         calls, plans, total_plan_time, total_exec_time
  FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'
)
SELECT statement, count(*) AS texts, sum(calls) AS calls, sum(plans) AS plans,
       round(sum(total_plan_time)::numeric, 1) AS plan_ms, round(sum(total_exec_time)::numeric, 1) AS exec_ms
FROM s GROUP BY statement ORDER BY sum(total_plan_time + total_exec_time) DESC LIMIT 15;
SELECT sum(calls) AS calls, sum(plans) AS plans,
       round((sum(total_plan_time) * 1000 / $deliveries)::numeric, 1) AS plan_us_per_delivery,
       round((sum(total_exec_time) * 1000 / $deliveries)::numeric, 1) AS exec_us_per_delivery
FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%';
SQL
