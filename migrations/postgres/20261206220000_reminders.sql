-- A family's choice about the mails it need not get: reminders before a session can be
-- turned off (from any of its booking pages), by address, lower-cased.
CREATE TABLE mail_preferences (
    email         TEXT   PRIMARY KEY,
    reminders_off BIGINT NOT NULL DEFAULT 0 CHECK (reminders_off IN (0, 1)),
    updated_at    BIGINT NOT NULL
);
