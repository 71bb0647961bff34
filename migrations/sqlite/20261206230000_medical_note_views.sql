-- Every time an admin opens an athlete's medical notes (the booking page, the roster): who,
-- when, for which booking. Kept without the notes, and past the athlete's erasure (the
-- record of who looked stays; what they saw is gone).
CREATE TABLE medical_note_views (
    id INTEGER PRIMARY KEY,
    athlete_id BIGINT NOT NULL,
    booking_id BIGINT NOT NULL,
    viewed_by  TEXT   NOT NULL,
    viewed_at  BIGINT NOT NULL
);
CREATE INDEX medical_note_views_booking ON medical_note_views (booking_id, viewed_at);
