-- Envelopes stored as their exact parts instead of one jsonb value (issue 15, push rate
-- and size): the report PDF once, as bytes, and the body's text around its base64, so
-- the envelope the device signed is rebuilt byte for byte (`stored.rs`). The server's
-- time-stamp is stored as the incremental update it appends to the report.
-- Rows written before keep `envelope` and `stamped_report` and are read from them.
ALTER TABLE envelopes
    ALTER COLUMN envelope DROP NOT NULL,
    ADD COLUMN body_head  bytea,
    ADD COLUMN body_tail  bytea,
    ADD COLUMN report     bytea,
    ADD COLUMN device_key text,
    ADD COLUMN signature  text,
    ADD COLUMN stamp_tail bytea;

-- A report's streams are already compressed: PostgreSQL's compression would only cost
-- time (partitions created later inherit the setting).
ALTER TABLE envelopes
    ALTER COLUMN report SET STORAGE EXTERNAL,
    ALTER COLUMN stamp_tail SET STORAGE EXTERNAL;

-- A push asks whether a stored envelope already supersedes the one arriving (a
-- correction that came first): without this index every push scanned every row.
CREATE INDEX envelopes_supersedes ON envelopes (supersedes) WHERE supersedes IS NOT NULL;
