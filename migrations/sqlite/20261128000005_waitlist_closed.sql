-- A waitlist place whose session is cancelled is closed: never offered, and its parent told
-- (keep ../postgres in step). SQLite cannot change a CHECK constraint in place: the table is
-- rebuilt with the same columns, rows and indexes; nothing references it.
CREATE TABLE waitlist_new (
    id                  INTEGER PRIMARY KEY,
    training_session_id BIGINT NOT NULL REFERENCES training_sessions (id),
    token               TEXT   NOT NULL UNIQUE,
    parent_name         TEXT   NOT NULL,
    parent_email        TEXT   NOT NULL,
    parent_phone        TEXT,
    athlete_name        TEXT   NOT NULL,
    athlete_age         BIGINT NOT NULL,
    notes               TEXT,
    status              TEXT   NOT NULL DEFAULT 'waiting'
        CHECK (status IN ('waiting', 'offered', 'booked', 'expired', 'withdrawn', 'closed')),
    offered_at          BIGINT,
    offer_expires_at    BIGINT,
    booking_id          BIGINT REFERENCES bookings (id),
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
INSERT INTO waitlist_new
    (id, training_session_id, token, parent_name, parent_email, parent_phone, athlete_name,
     athlete_age, notes, status, offered_at, offer_expires_at, booking_id, created_at, updated_at)
SELECT id, training_session_id, token, parent_name, parent_email, parent_phone, athlete_name,
       athlete_age, notes, status, offered_at, offer_expires_at, booking_id, created_at, updated_at
FROM waitlist;
DROP TABLE waitlist;
ALTER TABLE waitlist_new RENAME TO waitlist;
CREATE INDEX waitlist_session ON waitlist (training_session_id, status, id);
CREATE INDEX waitlist_open ON waitlist (status, training_session_id);
