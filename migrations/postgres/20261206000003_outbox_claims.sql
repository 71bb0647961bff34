-- Each claim of a mail carries its sender's token: marking it sent (or not) must match it, so
-- a sender whose lease ran out can no longer change a mail another sender has taken.
ALTER TABLE outbox ADD COLUMN claim_token TEXT;
-- "Find my booking" mails to one address, newest first: at most one each ten minutes.
CREATE INDEX outbox_lookups ON outbox (recipient, created_at) WHERE kind = 'booking_lookup';
