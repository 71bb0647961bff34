-- Schema for SQLite. Same tables, columns and constraints as ../postgres: keep the two in step.
-- Timestamps are UTC milliseconds (BIGINT), booleans integers, money minor units + ISO code,
-- so one set of queries serves both databases.

CREATE TABLE training_sessions (
    id               INTEGER PRIMARY KEY,
    title            TEXT   NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    starts_at        BIGINT NOT NULL,
    duration_minutes BIGINT NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    location         TEXT   NOT NULL,
    capacity         BIGINT NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
    price_amount     BIGINT NOT NULL CHECK (price_amount >= 0),
    currency         TEXT   NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    cancelled_at     BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX training_sessions_starts_at ON training_sessions (starts_at);

CREATE TABLE bookings (
    id                         INTEGER PRIMARY KEY,
    reference                  TEXT   NOT NULL UNIQUE,
    training_session_id        BIGINT NOT NULL REFERENCES training_sessions (id),
    parent_name                TEXT   NOT NULL,
    parent_email               TEXT   NOT NULL,
    parent_phone               TEXT,
    athlete_name               TEXT   NOT NULL,
    athlete_age                BIGINT NOT NULL CHECK (athlete_age BETWEEN 0 AND 120),
    notes                      TEXT,
    consent_at                 BIGINT,
    source                     TEXT   NOT NULL DEFAULT 'online' CHECK (source IN ('online', 'manual')),
    payment_status             TEXT   NOT NULL DEFAULT 'unpaid'
        CHECK (payment_status IN ('unpaid', 'paid', 'failed', 'refunded')),
    attendance_status          TEXT   NOT NULL DEFAULT 'pending'
        CHECK (attendance_status IN ('pending', 'confirmed', 'completed', 'cancelled', 'no-show', 'manual')),
    -- A copy of the session's start, so the admin list filters and sorts by it from an index.
    session_starts_at          BIGINT NOT NULL,
    amount                     BIGINT NOT NULL CHECK (amount >= 0),
    currency                   TEXT   NOT NULL CHECK (length(currency) = 3),
    -- Holds a place in the session until this time while unpaid (booking or checkout creation).
    held_until                 BIGINT NOT NULL,
    stripe_checkout_session_id TEXT,
    stripe_checkout_url        TEXT,
    stripe_checkout_expires_at BIGINT,
    checkout_attempts          BIGINT NOT NULL DEFAULT 0,
    -- When the stored checkout session was made, and when Stripe was last asked about it.
    checkout_started_at        BIGINT,
    reconciled_at              BIGINT,
    stripe_payment_intent_id   TEXT,
    amount_paid                BIGINT,
    amount_refunded            BIGINT NOT NULL DEFAULT 0,
    paid_at                    BIGINT,
    -- Lower-cased parent name, athlete name and email, for the admin search.
    search_text                TEXT   NOT NULL DEFAULT '',
    created_at                 BIGINT NOT NULL,
    updated_at                 BIGINT NOT NULL
);
-- The admin list: every filter and every sort is served by an index, ties broken by creation.
CREATE INDEX bookings_created ON bookings (created_at, id);
CREATE INDEX bookings_session ON bookings (training_session_id, created_at, id);
CREATE INDEX bookings_payment ON bookings (payment_status, created_at, id);
CREATE INDEX bookings_attendance ON bookings (attendance_status, created_at, id);
CREATE INDEX bookings_session_start ON bookings (session_starts_at, created_at, id);
CREATE INDEX bookings_parent ON bookings (parent_name, created_at, id);
CREATE INDEX bookings_athlete ON bookings (athlete_name, created_at, id);
CREATE INDEX bookings_amount ON bookings (amount, created_at, id);
-- Substring search (LIKE '%term%') scans this narrow index instead of the table;
-- PostgreSQL's index of the same name uses trigrams.
CREATE INDEX bookings_search ON bookings (search_text);
CREATE INDEX bookings_checkout_session ON bookings (stripe_checkout_session_id);
CREATE INDEX bookings_payment_intent ON bookings (stripe_payment_intent_id);
CREATE INDEX bookings_awaiting_stripe ON bookings (checkout_started_at) WHERE stripe_checkout_session_id IS NOT NULL;

-- The event ledger: one row per Stripe event id ever applied. Its primary key makes delivery
-- exactly-once in effect.
CREATE TABLE stripe_events (
    id             TEXT   PRIMARY KEY,
    event_type     TEXT   NOT NULL,
    source         TEXT   NOT NULL CHECK (source IN ('webhook', 'reconcile')),
    booking_id     BIGINT REFERENCES bookings (id),
    outcome        TEXT   NOT NULL,
    summary        TEXT   NOT NULL,
    stripe_created BIGINT,
    received_at    BIGINT NOT NULL,
    -- The PaymentIntent the event is about, and whether it waits for a booking to claim that
    -- payment (a refund delivered before the session that names its booking).
    payment_intent_id TEXT,
    parked         BIGINT NOT NULL DEFAULT 0 CHECK (parked IN (0, 1))
);
CREATE INDEX stripe_events_booking ON stripe_events (booking_id, received_at);
CREATE INDEX stripe_events_payment_intent ON stripe_events (payment_intent_id);

CREATE TABLE payment_logs (
    id            INTEGER PRIMARY KEY,
    booking_id    BIGINT REFERENCES bookings (id),
    stripe_event  TEXT   NOT NULL,
    error_message TEXT,
    created_at    BIGINT NOT NULL,
    event_id      TEXT,
    event_type    TEXT,
    level         TEXT   NOT NULL DEFAULT 'info' CHECK (level IN ('info', 'warning', 'error'))
);
CREATE INDEX payment_logs_booking ON payment_logs (booking_id, created_at);
CREATE INDEX payment_logs_level ON payment_logs (level, created_at);

CREATE TABLE admin_users (
    id            INTEGER PRIMARY KEY,
    email         TEXT   NOT NULL UNIQUE,
    password_hash TEXT   NOT NULL,
    created_at    BIGINT NOT NULL
);

-- Server-side admin sessions; the cookie carries a random token, the table its SHA-256.
CREATE TABLE admin_sessions (
    token_hash TEXT   PRIMARY KEY,
    admin_id   BIGINT NOT NULL REFERENCES admin_users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX admin_sessions_expires ON admin_sessions (expires_at);

-- Failed logins per key (email or client address), shared by every server instance.
CREATE TABLE login_attempts (
    id           INTEGER PRIMARY KEY,
    attempt_key  TEXT   NOT NULL,
    attempted_at BIGINT NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts (attempt_key, attempted_at);
