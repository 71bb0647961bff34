-- A form posted without JavaScript that came back refused: what was typed waits here for the
-- next load of its page (a minute at most), under the hash of a token its browser holds in a
-- cookie; the cookie itself stays a few dozen bytes, whatever was typed.
CREATE TABLE returned_forms (
    token_hash TEXT   PRIMARY KEY,
    page       TEXT   NOT NULL,
    status     BIGINT NOT NULL,
    path       TEXT   NOT NULL,
    err        TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX returned_forms_expiry ON returned_forms (expires_at);
