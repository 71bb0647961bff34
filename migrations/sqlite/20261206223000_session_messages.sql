-- An admin's messages to a session's families: what was written, by whom, when, and to how
-- many addresses. Each mail is an outbox row keyed `session_message:{id}:{address}`, which
-- keeps its delivery state.
CREATE TABLE session_messages (
    id INTEGER PRIMARY KEY,
    training_session_id BIGINT NOT NULL REFERENCES training_sessions (id),
    subject             TEXT   NOT NULL,
    body                TEXT   NOT NULL,
    include_waitlist    BIGINT NOT NULL CHECK (include_waitlist IN (0, 1)),
    recipients          BIGINT NOT NULL,
    sent_by             TEXT   NOT NULL,
    created_at          BIGINT NOT NULL
);
CREATE INDEX session_messages_session ON session_messages (training_session_id, created_at);
