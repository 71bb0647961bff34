-- Pages that never lie, and an admin view worth reading (keep ../sqlite and ../postgres in step).

-- When a checkout completed with a delayed method (a bank debit) whose money has not landed
-- yet: the booking's page keeps confirming until it does, whatever an earlier attempt said.
ALTER TABLE bookings ADD COLUMN payment_awaited_at BIGINT;

-- An admin's entry says how it was settled: paid outside Stripe, or given for free.
ALTER TABLE bookings ADD COLUMN manual_payment TEXT CHECK (manual_payment IN ('outside', 'free'));

-- A payment issue an admin has looked at and marked resolved.
ALTER TABLE payment_logs ADD COLUMN resolved_at BIGINT;
ALTER TABLE payment_logs ADD COLUMN resolved_by TEXT;
