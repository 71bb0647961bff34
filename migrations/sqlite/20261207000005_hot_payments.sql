-- Which bookings hold a payment intent (a family's further children share their lead's), in a
-- table of its own as on PostgreSQL, where the column's index kept payment updates from being
-- made in place (see docs/ARCHITECTURE.md, "Payment updates in place"). SQLite keeps the
-- payment status's index: it rewrites only the indexes whose columns an update changes.
CREATE TABLE booking_payment_intents (
    payment_intent_id TEXT    NOT NULL,
    booking_id        INTEGER NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    PRIMARY KEY (payment_intent_id, booking_id)
) WITHOUT ROWID;
INSERT INTO booking_payment_intents (payment_intent_id, booking_id)
SELECT stripe_payment_intent_id, id FROM bookings WHERE stripe_payment_intent_id IS NOT NULL;

CREATE TRIGGER bookings_payment_intent_added AFTER INSERT ON bookings
WHEN NEW.stripe_payment_intent_id IS NOT NULL
BEGIN
    INSERT INTO booking_payment_intents (payment_intent_id, booking_id)
    VALUES (NEW.stripe_payment_intent_id, NEW.id);
END;

CREATE TRIGGER bookings_payment_intent_changed AFTER UPDATE OF stripe_payment_intent_id ON bookings
WHEN OLD.stripe_payment_intent_id IS NOT NEW.stripe_payment_intent_id
BEGIN
    DELETE FROM booking_payment_intents
    WHERE payment_intent_id = OLD.stripe_payment_intent_id AND booking_id = OLD.id;
    INSERT INTO booking_payment_intents (payment_intent_id, booking_id)
    SELECT NEW.stripe_payment_intent_id, NEW.id WHERE NEW.stripe_payment_intent_id IS NOT NULL;
END;

DROP INDEX bookings_payment_intent;
