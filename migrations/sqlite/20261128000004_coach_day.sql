-- The coach's day: the waitlist of full sessions and the moves of bookings between sessions
-- (keep ../postgres in step).

-- Someone waiting for a place in a full session. The token is the private link of the place;
-- an offer holds a place (it counts as taken) until offer_expires_at, for the first one
-- waiting when a place frees.
CREATE TABLE waitlist (
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
        CHECK (status IN ('waiting', 'offered', 'booked', 'expired', 'withdrawn')),
    offered_at          BIGINT,
    offer_expires_at    BIGINT,
    booking_id          BIGINT REFERENCES bookings (id),
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX waitlist_session ON waitlist (training_session_id, status, id);
CREATE INDEX waitlist_open ON waitlist (status, training_session_id);

-- Every move of a booking from one session to another: who, when, from where to where.
CREATE TABLE booking_moves (
    id             INTEGER PRIMARY KEY,
    booking_id     BIGINT NOT NULL REFERENCES bookings (id),
    from_session   BIGINT NOT NULL REFERENCES training_sessions (id),
    to_session     BIGINT NOT NULL REFERENCES training_sessions (id),
    from_starts_at BIGINT NOT NULL,
    to_starts_at   BIGINT NOT NULL,
    moved_by       TEXT   NOT NULL,
    moved_at       BIGINT NOT NULL
);
CREATE INDEX booking_moves_booking ON booking_moves (booking_id, moved_at);
