-- Payment updates in place (HOT). PostgreSQL rewrites every index of a row whose update
-- changes an indexed column; a payment changed two (`payment_status`, `stripe_payment_intent_id`),
-- so each delivery wrote sixteen index entries, the trigram GIN's included. Those two are now
-- indexed in tables of their own, kept in step by triggers, and `bookings` leaves room on each
-- page for the new versions of its rows. See docs/ARCHITECTURE.md, "Payment updates in place".

-- The admin list's payment filter and sort: one row per booking, its status, and what never
-- changes (its source, its creation time), indexed as `bookings_payment` was.
CREATE TABLE booking_payment_order (
    booking_id     BIGINT PRIMARY KEY REFERENCES bookings (id) ON DELETE CASCADE,
    payment_status TEXT   NOT NULL,
    source         TEXT   NOT NULL,
    created_at     BIGINT NOT NULL
);
INSERT INTO booking_payment_order (booking_id, payment_status, source, created_at)
SELECT id, payment_status, source, created_at FROM bookings;
CREATE INDEX booking_payment_order_status ON booking_payment_order (payment_status, created_at, booking_id)
    INCLUDE (source);

-- Which bookings hold a payment intent (a family's further children share their lead's).
CREATE TABLE booking_payment_intents (
    payment_intent_id TEXT   NOT NULL,
    booking_id        BIGINT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    PRIMARY KEY (payment_intent_id, booking_id)
);
INSERT INTO booking_payment_intents (payment_intent_id, booking_id)
SELECT stripe_payment_intent_id, id FROM bookings WHERE stripe_payment_intent_id IS NOT NULL;

CREATE FUNCTION bookings_payment_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO booking_payment_order (booking_id, payment_status, source, created_at)
    VALUES (NEW.id, NEW.payment_status, NEW.source, NEW.created_at);
    IF NEW.stripe_payment_intent_id IS NOT NULL THEN
        INSERT INTO booking_payment_intents (payment_intent_id, booking_id)
        VALUES (NEW.stripe_payment_intent_id, NEW.id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER bookings_payment_added AFTER INSERT ON bookings
FOR EACH ROW EXECUTE FUNCTION bookings_payment_added();

CREATE FUNCTION bookings_payment_status_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE booking_payment_order SET payment_status = NEW.payment_status WHERE booking_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER bookings_payment_status_changed AFTER UPDATE OF payment_status ON bookings
FOR EACH ROW WHEN (OLD.payment_status IS DISTINCT FROM NEW.payment_status)
EXECUTE FUNCTION bookings_payment_status_changed();

CREATE FUNCTION bookings_payment_intent_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.stripe_payment_intent_id IS NOT NULL THEN
        DELETE FROM booking_payment_intents
        WHERE payment_intent_id = OLD.stripe_payment_intent_id AND booking_id = OLD.id;
    END IF;
    IF NEW.stripe_payment_intent_id IS NOT NULL THEN
        INSERT INTO booking_payment_intents (payment_intent_id, booking_id)
        VALUES (NEW.stripe_payment_intent_id, NEW.id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER bookings_payment_intent_changed AFTER UPDATE OF stripe_payment_intent_id ON bookings
FOR EACH ROW WHEN (OLD.stripe_payment_intent_id IS DISTINCT FROM NEW.stripe_payment_intent_id)
EXECUTE FUNCTION bookings_payment_intent_changed();

DROP INDEX bookings_payment;
DROP INDEX bookings_payment_intent;

-- Room on each page for a row's next version, so that an update stays on its page (HOT).
-- New pages only: a large existing table gets it at its next rewrite (VACUUM FULL).
ALTER TABLE bookings SET (fillfactor = 80);
