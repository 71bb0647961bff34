-- The coach's private calendar feed of the upcoming sessions: its link's token kept only as a
-- SHA-256. Making a new link ends every older one.
CREATE TABLE calendar_feeds (
    token_hash TEXT   PRIMARY KEY,
    created_by TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
