-- A waitlist place whose session is cancelled is closed: never offered, and its parent told
-- (keep ../sqlite in step).
ALTER TABLE waitlist DROP CONSTRAINT waitlist_status_check;
ALTER TABLE waitlist ADD CONSTRAINT waitlist_status_check
    CHECK (status IN ('waiting', 'offered', 'booked', 'expired', 'withdrawn', 'closed'));
