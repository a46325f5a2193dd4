-- KV items. Keys are ordered by bytes (COLLATE "C") whatever the database locale.
CREATE TABLE IF NOT EXISTS kv_items (
    namespace    text        NOT NULL,
    key          text        NOT NULL,
    value        bytea       NOT NULL,
    content_type text        NOT NULL DEFAULT '',
    metadata     jsonb       NOT NULL DEFAULT '{}',
    version      bigint      NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NULL,
    PRIMARY KEY (namespace, key)
);
CREATE INDEX IF NOT EXISTS kv_items_expires_at ON kv_items (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS kv_items_ns_key_bytes ON kv_items (namespace, key COLLATE "C");
