-- Graph (spec §6.6): shared tables, the (tenant-qualified) namespace is a column. Ids are
-- compared and ordered as UTF-8 bytes (COLLATE "C"), like every other driver's key order.
-- No foreign key from edges to nodes: an edge may name a node that does not exist (yet).
-- The (namespace, from_id, id) and (namespace, to_id, id) indexes give each node's edges in id
-- order, so a walk reads the first fan-out edges of a node without sorting.
CREATE TABLE IF NOT EXISTS graph_nodes (
    namespace  text             NOT NULL,
    id         text COLLATE "C" NOT NULL,
    labels     text[]           NOT NULL DEFAULT '{}',
    props      jsonb            NOT NULL DEFAULT '{}',
    created_at timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (namespace, id)
);
CREATE TABLE IF NOT EXISTS graph_edges (
    namespace  text             NOT NULL,
    id         text COLLATE "C" NOT NULL,
    type       text             NOT NULL,
    from_id    text COLLATE "C" NOT NULL,
    to_id      text COLLATE "C" NOT NULL,
    props      jsonb            NOT NULL DEFAULT '{}',
    created_at timestamptz      NOT NULL DEFAULT now(),
    valid_from timestamptz,
    valid_to   timestamptz,
    PRIMARY KEY (namespace, id)
);
CREATE INDEX IF NOT EXISTS graph_edges_from ON graph_edges (namespace, from_id, id);
CREATE INDEX IF NOT EXISTS graph_edges_to ON graph_edges (namespace, to_id, id);
