-- A term's waitlist (issue 23): a place waiting for a whole term names it; its session is the
-- term's first. An offer for a term holds a place in each of its sessions. (Keep ../sqlite in step.)
ALTER TABLE waitlist ADD COLUMN term_id BIGINT REFERENCES terms (id);
CREATE INDEX waitlist_term ON waitlist (term_id, status, id) WHERE term_id IS NOT NULL;
