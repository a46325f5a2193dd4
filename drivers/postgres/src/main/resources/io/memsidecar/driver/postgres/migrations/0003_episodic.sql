-- Episodic events. Cursors come from episodic_cursors, bumped inside the append transaction:
-- its row lock orders appends of one namespace, so cursors become visible in order and a
-- rollback leaves no gap. Cursors are never reused, also after a hard delete.
CREATE TABLE IF NOT EXISTS episodic_cursors (
    namespace   text   PRIMARY KEY,
    last_cursor bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS episodic_events (
    id         uuid        PRIMARY KEY,
    namespace  text        NOT NULL,
    cursor     bigint      NOT NULL,
    timestamp  timestamptz NOT NULL,
    type       text        NOT NULL,
    payload    bytea       NOT NULL DEFAULT '',
    metadata   jsonb       NOT NULL DEFAULT '{}',
    role       text        NOT NULL DEFAULT '',
    session_id text        NOT NULL DEFAULT '',
    source     text        NOT NULL DEFAULT '',
    supersedes text[]      NOT NULL DEFAULT '{}',
    deleted_at timestamptz NULL,
    dedup_key  text        NULL,
    UNIQUE (namespace, cursor)
);
CREATE UNIQUE INDEX IF NOT EXISTS episodic_events_dedup ON episodic_events (namespace, dedup_key) WHERE dedup_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS episodic_events_ns_time ON episodic_events (namespace, timestamp);
CREATE INDEX IF NOT EXISTS episodic_events_live ON episodic_events (namespace, cursor) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS episodic_events_session ON episodic_events (namespace, session_id, cursor) WHERE session_id <> '';
