-- Money integrity and abuse resistance (keep ../sqlite and ../postgres in step).

-- The parameters of the checkout attempt in flight (JSON): a retry under the same idempotency
-- key must send Stripe exactly the same request.
ALTER TABLE bookings ADD COLUMN checkout_request TEXT;

-- Unpaid holds are counted per email when a booking is made.
CREATE INDEX bookings_parent_email ON bookings (lower(parent_email), held_until);

-- Admin sessions also end after a while without use.
ALTER TABLE admin_sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE admin_sessions SET last_seen_at = created_at;
CREATE INDEX admin_sessions_admin ON admin_sessions (admin_id);
