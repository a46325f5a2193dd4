-- Semantic namespaces: one table per configured namespace (its vector column has the
-- namespace's dimensions), created when the server opens the namespace. This registry records
-- what each table was created with, so a changed config fails loudly instead of mixing
-- dimensions, distances or text-search configurations in one table.
CREATE TABLE IF NOT EXISTS semantic_namespaces (
    name        text        PRIMARY KEY,
    table_name  text        NOT NULL UNIQUE,
    dimensions  integer     NOT NULL,
    distance    text        NOT NULL,
    text_search text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
