-- Families (issue 22): an account per email address, opened by a link mailed to it (no
-- password). Links and the family's logins are kept by the SHA-256 of their token only.
-- The athletes a family keeps; medical notes sealed (ChaCha20-Poly1305, FAMILY_DATA_KEY).
-- (Keep ../postgres in step.)

CREATE TABLE families (
    id         INTEGER PRIMARY KEY,
    -- Lower-cased; its bookings are those whose parent_email matches it, whatever the case.
    email      TEXT   NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- A link mailed to an address: to sign in, or to confirm a family's new address.
CREATE TABLE family_links (
    token_hash TEXT   PRIMARY KEY,
    purpose    TEXT   NOT NULL CHECK (purpose IN ('sign_in', 'address_change')),
    -- The address the link was mailed to.
    email      TEXT   NOT NULL,
    -- The family whose address changes (an address change's link only).
    family_id  BIGINT REFERENCES families (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX family_links_expiry ON family_links (expires_at);

CREATE TABLE family_logins (
    token_hash   TEXT   PRIMARY KEY,
    family_id    BIGINT NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX family_logins_family ON family_logins (family_id);

CREATE TABLE athletes (
    id                   INTEGER PRIMARY KEY,
    family_id            BIGINT NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    name                 TEXT   NOT NULL,
    -- YYYY-MM-DD.
    date_of_birth        TEXT,
    emergency_name       TEXT,
    emergency_phone      TEXT,
    -- base64 of nonce || ciphertext || tag; never the plain text.
    medical_notes_sealed TEXT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE INDEX athletes_family ON athletes (family_id);

-- The mails to an address (a family's export and erasure, the sign-in link's quiet time).
CREATE INDEX outbox_recipient ON outbox (lower(recipient), created_at);
