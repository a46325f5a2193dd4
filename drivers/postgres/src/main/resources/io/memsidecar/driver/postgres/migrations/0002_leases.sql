-- Leases. Expiry is always compared with the database clock. Rows of expired leases are
-- deleted by the sweeper; lease_fences keeps each key's last fencing token forever, so tokens
-- keep increasing across releases, sweeps and restarts.
CREATE TABLE IF NOT EXISTS leases (
    namespace   text        NOT NULL,
    key         text        NOT NULL,
    holder_id   text        NOT NULL,
    acquired_at timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    metadata    jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (namespace, key)
);
ALTER TABLE leases ADD COLUMN IF NOT EXISTS fencing_token bigint NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS leases_expires_at ON leases (expires_at);
CREATE TABLE IF NOT EXISTS lease_fences (
    namespace text   NOT NULL,
    key       text   NOT NULL,
    token     bigint NOT NULL,
    PRIMARY KEY (namespace, key)
);
