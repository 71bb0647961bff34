#!/usr/bin/env bash
# What a payment's UPDATE of `bookings` costs PostgreSQL in one backend, with and without the
# HOT route tried in commit d7f0045 and backed out (docs/PERFORMANCE.md, "The HOT route,
# measured"). Seeds 100,000 bookings as bench/run.sh does, then marks 20,000 of them paid in
# 625 statements of 32 rows (the writer's batches), in one transaction, on copies of the seed:
#   today     the schema of main: both payment columns indexed on `bookings`
#   side      d7f0045's migration: the two columns indexed in tables of their own, kept by row
#             triggers; `bookings` at fillfactor 80
#   no-keep   the same without its triggers (what HOT alone would save, side tables unkept)
#   *-ff50    the same two with `bookings` at fillfactor 50
#   writer-ff50  no triggers: the batch's own statement keeps the side tables (a data-modifying
#             CTE: the bookings' UPDATE ... RETURNING feeds the other two), fillfactor 50
# (the seeded pages are rewritten at the variant's fillfactor).
# Prints the seconds and the HOT share of each. Needs target/release/bench (bench/run.sh or
# `cargo build --release -p bench`).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$(mktemp -d /tmp/hot-payments.XXXXXX)
trap 'scripts/postgres.sh stop "$dir"' EXIT
url=$(scripts/postgres.sh start "$dir")
base=${url%/*}
psql "$url" -qc "CREATE DATABASE seed"
target/release/bench seed "$base/seed" 100000 >/dev/null
migration=$(git show d7f0045:migrations/postgres/20261207000005_hot_payments.sql)
for variant in today side no-keep side-ff50 no-keep-ff50 writer-ff50; do
  db=$(echo "$variant" | tr -d -)
  psql "$url" -qc "CREATE DATABASE $db TEMPLATE seed"
  if [ "$variant" != today ]; then
    psql "$base/$db" -q <<<"$migration"
    # The migration's fillfactor applies to new pages only: rewrite the seeded ones with it.
    case "$variant" in *ff50) psql "$base/$db" -qc "ALTER TABLE bookings SET (fillfactor = 50)" ;; esac
    psql "$base/$db" -qc "VACUUM FULL bookings"
    case "$variant" in no-keep* | writer*) psql "$base/$db" -qc "ALTER TABLE bookings DISABLE TRIGGER USER" ;; esac
  fi
  psql "$base/$db" -qc "VACUUM ANALYZE" -c "SELECT pg_stat_reset()" >/dev/null
  update="UPDATE bookings SET payment_status = 'paid', updated_at = 5, paid_at = 5,
      stripe_payment_intent_id = COALESCE(stripe_payment_intent_id, 'pi_' || id),
      amount_paid = 4500, payment_awaited_at = NULL
    WHERE id BETWEEN s * 32 + 1 AND s * 32 + 32 AND payment_status = 'unpaid'"
  if [ "$variant" = writer-ff50 ]; then
    statement="WITH u AS ($update RETURNING id, payment_status, stripe_payment_intent_id),
      o AS (UPDATE booking_payment_order p SET payment_status = u.payment_status
            FROM u WHERE p.booking_id = u.id)
    INSERT INTO booking_payment_intents (payment_intent_id, booking_id)
    SELECT u.stripe_payment_intent_id, u.id FROM u WHERE u.stripe_payment_intent_id IS NOT NULL
    ON CONFLICT DO NOTHING"
  else
    statement=$update
  fi
  start=$(date +%s.%N)
  psql "$base/$db" -q <<SQL
DO \$\$
BEGIN
  FOR s IN 0..624 LOOP
    $statement;
  END LOOP;
END \$\$;
SQL
  end=$(date +%s.%N)
  sleep 1.5 # the statistics are flushed once the backend is gone
  hot=$(psql "$base/$db" -Atc "SELECT n_tup_hot_upd || ' of ' || n_tup_upd FROM pg_stat_user_tables WHERE relname = 'bookings'")
  kept=-
  if [ "$variant" != today ]; then
    kept=$(psql "$base/$db" -Atc "SELECT (SELECT count(*) FROM booking_payment_order
      WHERE payment_status = 'paid') || ' paid, ' || (SELECT count(*) FROM booking_payment_intents) || ' intents'")
  fi
  printf '%-13s %6.2f s  HOT %-16s side tables: %s\n' "$variant" "$(echo "$end - $start" | bc)" "$hot" "$kept"
done
