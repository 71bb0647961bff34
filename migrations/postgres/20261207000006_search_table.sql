-- PostgreSQL: the admin list's search text in a table of its own (docs/PERFORMANCE.md, "Where
-- PostgreSQL's time goes"). A payment's UPDATE of `bookings` is never in place (its status is
-- indexed), so it wrote a new entry into every index of `bookings`, the trigram GIN index of the
-- search text included: about a fifth of that UPDATE's cost. Here the trigram index is written
-- when a booking is made and when its names or email change, never when its payment does.
-- `bookings.search_text` stays the text's source (SQLite's full-text index reads it too).
CREATE TABLE booking_search (
    booking_id  BIGINT PRIMARY KEY REFERENCES bookings (id) ON DELETE CASCADE,
    search_text TEXT   NOT NULL
);
INSERT INTO booking_search (booking_id, search_text) SELECT id, search_text FROM bookings;
CREATE INDEX booking_search_text ON booking_search USING gin (search_text gin_trgm_ops);
DROP INDEX bookings_search;

CREATE FUNCTION booking_search_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO booking_search (booking_id, search_text) VALUES (NEW.id, NEW.search_text)
    ON CONFLICT (booking_id) DO UPDATE SET search_text = EXCLUDED.search_text;
    RETURN NULL;
END
$$;

CREATE TRIGGER booking_search_insert AFTER INSERT ON bookings
    FOR EACH ROW EXECUTE FUNCTION booking_search_keep();
-- Fires only for an UPDATE that names the column (a payment's does not), and only when the
-- text changed.
CREATE TRIGGER booking_search_update AFTER UPDATE OF search_text ON bookings
    FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text)
    EXECUTE FUNCTION booking_search_keep();
