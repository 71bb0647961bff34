-- Private calendar feeds: the coach's (the upcoming sessions; `family_id` empty) and each
-- family's (its own bookings). A link's token is kept only as a SHA-256; making a new link ends
-- the older ones of the same feed.
CREATE TABLE calendar_feeds (
    token_hash TEXT   PRIMARY KEY,
    family_id  BIGINT REFERENCES families (id) ON DELETE CASCADE,
    created_by TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
