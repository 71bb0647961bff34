-- Promotion codes (`PROMOTION_CODES`): what a Checkout Session's discount took off a booking's
-- price (its share, for a family's or a term's bookings paid together; 0 without one), and the
-- promotion code it came from: its text when Stripe's event carried it, and its id
-- (`promo_...`). What was paid stays `amount_paid`.
ALTER TABLE bookings ADD COLUMN amount_discount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE bookings ADD COLUMN promotion_code TEXT;
ALTER TABLE bookings ADD COLUMN promotion_code_id TEXT;
