#!/usr/bin/env bash
# What a payment's UPDATE of `bookings` costs PostgreSQL in one backend, on the schema of main
# and on variants of it: seeds 100,000 bookings as bench/run.sh does, then marks 20,000 of them
# paid in 625 statements of 32 rows (the writer's batches), on copies of the seed:
#   now         the schema of main
#   gin         the search text's trigram index back on `bookings` (before migration
#               `search_table`)
#   no-places   without the place-count indexes (before migration `place_counts`)
# ROUNDS times each, alternating; prints the seconds of each.
# Needs target/release/bench (bench/run.sh or `cargo build --release -p bench`).
#   bench/experiments/payment-update.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-2}
dir=$(mktemp -d /tmp/payment-update.XXXXXX)
trap 'scripts/postgres.sh stop "$dir" >/dev/null 2>&1 || true' EXIT
url=$(scripts/postgres.sh start "$dir")
base=${url%/*}
psql "$url" -qc "CREATE DATABASE seed"
target/release/bench seed "$base/seed" 100000 >/dev/null
n=0
for round in $(seq 1 "$rounds"); do
  for variant in now gin no-places; do
    n=$((n + 1))
    psql "$url" -qc "CREATE DATABASE run$n TEMPLATE seed"
    case "$variant" in
      gin) psql "$base/run$n" -qc "CREATE INDEX bookings_search ON bookings USING gin (search_text gin_trgm_ops)" ;;
      no-places) psql "$base/run$n" -qc "DROP INDEX bookings_firm, bookings_held, bookings_present" ;;
    esac
    psql "$base/run$n" -qc "VACUUM ANALYZE bookings"
    start=$(date +%s.%N)
    psql "$base/run$n" -q <<'SQL'
DO $$
BEGIN
  FOR s IN 0..624 LOOP
    UPDATE bookings SET payment_status = 'paid', updated_at = 5, paid_at = 5,
      stripe_payment_intent_id = COALESCE(stripe_payment_intent_id, 'pi_' || id),
      amount_paid = 4500, payment_awaited_at = NULL
    WHERE id BETWEEN s * 32 + 1 AND s * 32 + 32 AND payment_status = 'unpaid';
  END LOOP;
END $$;
SQL
    end=$(date +%s.%N)
    echo "$variant round $round: $(python3 -c "print(f'{$end - $start:.2f}')") s"
    psql "$url" -qc "DROP DATABASE run$n"
  done
done
