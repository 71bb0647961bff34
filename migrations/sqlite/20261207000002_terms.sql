-- Terms (issue 23): a block of weekly sessions sold together. Each session of a term is a
-- training session of its own (its bookings, roster, cancellation) naming its term. A term
-- whose drop-in price is empty sells its sessions only together. (Keep ../postgres in step.)
CREATE TABLE terms (
    id                  INTEGER PRIMARY KEY,
    title               TEXT   NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    -- The whole term's price per athlete, in minor units.
    price_amount        BIGINT NOT NULL CHECK (price_amount >= 0),
    currency            TEXT   NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    -- One session's price when sold alone; none: not sold alone.
    dropin_price_amount BIGINT CHECK (dropin_price_amount >= 0),
    cancelled_at        BIGINT,
    created_at          BIGINT NOT NULL
);

ALTER TABLE training_sessions ADD COLUMN term_id BIGINT REFERENCES terms (id);
CREATE INDEX training_sessions_term ON training_sessions (term_id, starts_at) WHERE term_id IS NOT NULL;
