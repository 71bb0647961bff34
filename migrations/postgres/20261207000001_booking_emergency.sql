-- The emergency contact and medical notes the booking form asks for (issue 24), kept beside
-- the booking rather than in it (a payment's update of the booking never rewrites them). The
-- notes are sealed (ChaCha20-Poly1305 under FAMILY_DATA_KEY): never the plain text.
-- (Keep ../sqlite in step.)
CREATE TABLE booking_emergency (
    booking_id           BIGINT PRIMARY KEY REFERENCES bookings (id) ON DELETE CASCADE,
    contact_name         TEXT,
    contact_phone        TEXT,
    -- base64 of nonce || ciphertext || tag.
    medical_notes_sealed TEXT,
    -- When the parent gave them (UTC ms): the athlete's profile, when saved later, comes first.
    given_at             BIGINT NOT NULL
);

-- An opening of notes kept with a booking has no athlete profile: athlete_id may be empty.
ALTER TABLE medical_note_views ALTER COLUMN athlete_id DROP NOT NULL;
