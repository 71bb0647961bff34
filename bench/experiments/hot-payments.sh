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
for variant in today side no-keep side-ff50 no-keep-ff50; do
  db=$(echo "$variant" | tr -d -)
  psql "$url" -qc "CREATE DATABASE $db TEMPLATE seed"
  if [ "$variant" != today ]; then
    psql "$base/$db" -q <<<"$migration"
    # The migration's fillfactor applies to new pages only: rewrite the seeded ones with it.
    case "$variant" in *ff50) psql "$base/$db" -qc "ALTER TABLE bookings SET (fillfactor = 50)" ;; esac
    psql "$base/$db" -qc "VACUUM FULL bookings"
    case "$variant" in no-keep*) psql "$base/$db" -qc "ALTER TABLE bookings DISABLE TRIGGER USER" ;; esac
  fi
  psql "$base/$db" -qc "VACUUM ANALYZE" -c "SELECT pg_stat_reset()" >/dev/null
  start=$(date +%s.%N)
  psql "$base/$db" -q <<'SQL'
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
  sleep 1.5 # the statistics are flushed once the backend is gone
  hot=$(psql "$base/$db" -Atc "SELECT n_tup_hot_upd || ' of ' || n_tup_upd FROM pg_stat_user_tables WHERE relname = 'bookings'")
  printf '%-10s %6.2f s  HOT %s\n' "$variant" "$(echo "$end - $start" | bc)" "$hot"
done
