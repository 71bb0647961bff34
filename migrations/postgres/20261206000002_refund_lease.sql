-- A refund request is claimed by the one sender that sends it (until `sending_until`), so the
-- resumer can take every request nobody holds at once instead of waiting for it to look old.
ALTER TABLE refunds ADD COLUMN sending_until BIGINT NOT NULL DEFAULT 0;
