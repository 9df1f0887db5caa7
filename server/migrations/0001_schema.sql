-- elder-assess county server, schema version 1.
-- Envelopes (one row per received envelope: the record's denormalised, indexed columns
-- beside the signed envelope itself) are partitioned by county (LIST) and then by the
-- year of the record's reference date (RANGE). DEFAULT partitions at both levels mean an
-- envelope is never refused for a missing partition; `serve` adds the county's own
-- partitions for the years around today (see server/src/partitions.rs).

CREATE TABLE accounts (
    login         text PRIMARY KEY,
    display_name  text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin', 'assessor', 'reviewer')),
    password_hash text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE SEQUENCE device_code_seq;

CREATE TABLE devices (
    id          text PRIMARY KEY,
    key         text NOT NULL,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    enrolled_by text NOT NULL REFERENCES accounts (login),
    enrolled_at timestamptz NOT NULL,
    revoked     boolean NOT NULL DEFAULT false,
    audit_head  text
);

-- The idempotency key: one row per (envelope id, content hash), not partitioned, so the
-- unique key holds across every county and year.
CREATE TABLE envelope_keys (
    id          text NOT NULL,
    hash        text NOT NULL,
    county      text NOT NULL,
    year        integer NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (id, hash)
);

CREATE TABLE envelopes (
    county         text NOT NULL,
    year           integer NOT NULL,
    id             text NOT NULL,
    hash           text NOT NULL,
    received_at    timestamptz NOT NULL,
    device         text NOT NULL,
    supersedes     text,
    number         text NOT NULL,
    township       text NOT NULL,
    final_level    smallint NOT NULL,
    sex            text,
    birth_year     integer,
    reference_date date NOT NULL,
    -- submitted, approved, returned, superseded
    status         text NOT NULL,
    -- HMAC-free SHA-256 of the county and the ID number: "the same elder", never the number
    person_hash    text,
    conflict       boolean NOT NULL DEFAULT false,
    counted        boolean NOT NULL DEFAULT false,
    parties        jsonb NOT NULL,
    envelope       jsonb NOT NULL,
    -- the report as stored: the device's signed PDF with the server's RFC 3161 document
    -- timestamp added (PAdES B-T), when the server has a timestamp authority
    stamped_report bytea,
    PRIMARY KEY (county, year, id, hash)
) PARTITION BY LIST (county);

CREATE TABLE envelopes_other PARTITION OF envelopes DEFAULT PARTITION BY RANGE (year);
CREATE TABLE envelopes_other_any PARTITION OF envelopes_other DEFAULT;

CREATE INDEX envelopes_queue ON envelopes (county, status, received_at, id);
CREATE INDEX envelopes_queue_township ON envelopes (county, township, final_level, status, received_at, id);
CREATE INDEX envelopes_person ON envelopes (person_hash);
CREATE INDEX envelopes_id ON envelopes (id);

CREATE TABLE decisions (
    id          text PRIMARY KEY,
    hash        text NOT NULL,
    envelope    text NOT NULL,
    reviewer    text NOT NULL,
    decision    jsonb NOT NULL,
    number      text NOT NULL,
    applied_at  timestamptz NOT NULL
);

-- What devices pull, in commit order: `cursor` is allocated under the advisory lock.
CREATE TABLE events (
    cursor        bigint PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('envelope', 'decision')),
    envelope_id   text NOT NULL,
    envelope_hash text,
    decision_id   text,
    -- the device that made the envelope (an assessor's device pulls its decisions)
    device        text NOT NULL,
    at            timestamptz NOT NULL
);
CREATE INDEX events_device ON events (device, kind, cursor);

-- The server's own append-only, hash-chained audit trail.
CREATE TABLE audit (
    seq       bigint PRIMARY KEY,
    at        timestamptz NOT NULL,
    actor     text NOT NULL,
    action    text NOT NULL,
    subject   text,
    detail    jsonb NOT NULL,
    prev_hash text NOT NULL,
    hash      text NOT NULL
);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit is append-only';
END;
$$;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- Statistics without scanning records: township × level counts per county and year,
-- maintained in the transaction that accepts, supersedes or decides an envelope.
CREATE TABLE stats (
    county      text NOT NULL,
    year        integer NOT NULL,
    township    text NOT NULL,
    final_level smallint NOT NULL,
    assessed    bigint NOT NULL DEFAULT 0,
    approved    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (county, year, township, final_level)
);

-- Server-wide secrets made at first start (the key of the "same elder" hash).
CREATE TABLE settings (
    key   text PRIMARY KEY,
    value bytea NOT NULL
);
