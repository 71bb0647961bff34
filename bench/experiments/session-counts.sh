#!/usr/bin/env bash
# What counting every session's places costs at 2,000 bookings a session, before and after the
# partial indexes of migration `place_counts` (docs/PERFORMANCE.md, "A session's counts"):
# seeds 100,000 bookings over 50 sessions as bench/run.sh does (on SQLite and PostgreSQL),
# marks 20,000 of them paid as the bench's deliveries do, then times the sessions page's count
# (every session's places held) written as before (one count over the session's bookings) and
# as now (`places_held!`: the firm ones plus those still held), with the indexes there, five
# times each; prints the best time of each. Needs target/release/bench, sqlite3 and psql.
#   bench/experiments/session-counts.sh [BOOKINGS]
set -euo pipefail
cd "$(dirname "$0")/../.."
bookings=${1:-100000}
dir=$(mktemp -d /tmp/session-counts.XXXXXX)
chmod 755 "$dir"
trap 'scripts/postgres.sh stop "$dir/pg" >/dev/null 2>&1 || true' EXIT
now=$(($(date +%s) * 1000))
before="SELECT SUM(places) FROM (SELECT (SELECT COUNT(*) FROM bookings b
  WHERE b.training_session_id = s.id AND (b.attendance_status <> 'cancelled'
    AND b.payment_status <> 'refunded'
    AND (b.payment_status = 'paid' OR b.source = 'manual' OR b.held_until > $now))) AS places
  FROM training_sessions s) x"
after="SELECT SUM(places) FROM (SELECT (SELECT COUNT(*) FROM bookings b
  WHERE b.training_session_id = s.id AND b.attendance_status <> 'cancelled'
    AND b.payment_status <> 'refunded' AND (b.payment_status = 'paid' OR b.source = 'manual'))
  + (SELECT COUNT(*) FROM bookings b WHERE b.training_session_id = s.id
    AND b.attendance_status <> 'cancelled' AND b.payment_status IN ('unpaid', 'failed')
    AND b.source <> 'manual' AND b.held_until > $now) AS places
  FROM training_sessions s) x"
pay="UPDATE bookings SET payment_status = 'paid' WHERE id <= 24000 AND attendance_status <> 'cancelled'"

target/release/bench seed "sqlite://$dir/bench.db" "$bookings" >/dev/null
sqlite3 "$dir/bench.db" "$pay; ANALYZE;"
best_sqlite() {
  for _ in 1 2 3 4 5; do
    printf '.timer on\n%s;\n' "$1" | sqlite3 "$dir/bench.db" | awk '/Run Time/ {print $4 * 1000}'
  done | sort -n | head -1
}
echo "sqlite: before $(best_sqlite "$before") ms, now $(best_sqlite "$after") ms" \
  "($(sqlite3 "$dir/bench.db" "$after") places)"

url=$(PG_DURABLE=1 scripts/postgres.sh start "$dir/pg")
target/release/bench seed "$url" "$bookings" >/dev/null
psql -q "$url" -c "$pay" -c "VACUUM ANALYZE bookings"
best_pg() {
  for _ in 1 2 3 4 5; do
    psql -qAt "$url" -c '\timing on' -c "$1" | awk '/^Time:/ {print $2}'
  done | sort -n | head -1
}
echo "postgres: before $(best_pg "$before") ms, now $(best_pg "$after") ms" \
  "($(psql -qAt "$url" -c "$after") places)"
