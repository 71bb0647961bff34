-- A waitlist place is confirmed from its address (a link mailed to it) before it can be
-- offered a freed place; places joined before this was asked count as confirmed.
ALTER TABLE waitlist ADD COLUMN confirmed_at BIGINT;
UPDATE waitlist SET confirmed_at = created_at;
CREATE INDEX waitlist_email ON waitlist (parent_email, created_at);
