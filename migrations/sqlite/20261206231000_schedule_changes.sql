-- How many times a booking's session changed its time or place while the booking stood: each
-- change mails the family a calendar entry that replaces the last (a newer SEQUENCE), and
-- lets it cancel with a full refund whatever the cut-off.
ALTER TABLE bookings ADD COLUMN schedule_changes BIGINT NOT NULL DEFAULT 0;
