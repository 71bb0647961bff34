-- The business's terms or waiver a parent accepts when booking, each wording a version of its
-- own; a booking records the version it accepted (none before a text was set).
CREATE TABLE consent_texts (
    version INTEGER PRIMARY KEY,
    body       TEXT   NOT NULL,
    created_by TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
ALTER TABLE bookings ADD COLUMN consent_version BIGINT;
