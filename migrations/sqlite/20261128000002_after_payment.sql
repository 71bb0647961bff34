-- After the payment: mail, refunds, the attendance history (keep ../postgres in step).

-- Mail to send, written in the same transaction as the change that causes it. The dedupe key
-- names the change (booking and kind of mail), so one change never makes two mails.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    dedupe_key      TEXT   NOT NULL UNIQUE,
    kind            TEXT   NOT NULL,
    booking_id      BIGINT REFERENCES bookings (id),
    recipient       TEXT   NOT NULL,
    -- Facts of the change the mail tells of (JSON), beside what the booking says when sent.
    payload         TEXT   NOT NULL DEFAULT '{}',
    status          TEXT   NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    -- A sender holds the row until then (several instances never send it twice at once).
    locked_until    BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    subject         TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_booking ON outbox (booking_id);

-- Refunds asked of Stripe. The idempotency key is kept before the request is sent, so a
-- crash between the two resends the same request instead of refunding twice.
CREATE TABLE refunds (
    id               INTEGER PRIMARY KEY,
    booking_id       BIGINT NOT NULL REFERENCES bookings (id),
    idempotency_key  TEXT   NOT NULL UNIQUE,
    amount           BIGINT NOT NULL CHECK (amount > 0),
    currency         TEXT   NOT NULL,
    reason           TEXT   NOT NULL,
    requested_by     TEXT   NOT NULL,
    status           TEXT   NOT NULL DEFAULT 'requested'
        CHECK (status IN ('requested', 'pending', 'succeeded', 'failed')),
    stripe_refund_id TEXT,
    failure_reason   TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX refunds_booking ON refunds (booking_id);
CREATE INDEX refunds_stripe ON refunds (stripe_refund_id);
CREATE INDEX refunds_status ON refunds (status);

-- Every change of attendance after a booking is made: who, when, from what.
CREATE TABLE attendance_changes (
    id         INTEGER PRIMARY KEY,
    booking_id BIGINT NOT NULL REFERENCES bookings (id),
    from_status TEXT  NOT NULL,
    to_status  TEXT   NOT NULL,
    changed_by TEXT   NOT NULL,
    changed_at BIGINT NOT NULL
);
CREATE INDEX attendance_changes_booking ON attendance_changes (booking_id, changed_at);
