package io.memsidecar.driver.postgres;

import com.pgvector.PGvector;
import io.memsidecar.core.ApiException;
import io.memsidecar.semantic.spi.ExpireAction;
import io.memsidecar.semantic.spi.Hit;
import io.memsidecar.semantic.spi.IndexSpec;
import io.memsidecar.semantic.spi.Predicate;
import io.memsidecar.semantic.spi.SemanticIndex;
import io.memsidecar.semantic.spi.SemanticQuery;
import io.memsidecar.semantic.spi.SemanticRecord;
import io.memsidecar.semantic.spi.SemanticStore;
import io.memsidecar.semantic.spi.SemanticWrite;
import io.memsidecar.semantic.spi.Terms;
import io.memsidecar.semantic.spi.Written;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;

/**
 * Semantic records on PostgreSQL + pgvector. One table per configured namespace (its
 * {@code vector(N)} column has the namespace's dimensions), keyed by (scope, id) so tenants and
 * sidecars share it; an HNSW index with the namespace's distance; a generated tsvector with a GIN
 * index for the sparse lane. Opening a namespace creates all of it under the migration lock and
 * fails — so startup fails — when pgvector is missing, the HNSW index cannot be built, or the
 * table was created with other dimensions, distance or text-search configuration.
 */
final class PostgresSemanticStore implements SemanticStore {
    private static final Pattern PLAIN_NAME = Pattern.compile("[a-z0-9_]{1,40}");
    private static final Pattern TS_CONFIG = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]{0,62}");
    private static final String NUMERIC_GUARD = "'^-?[0-9]+(\\.[0-9]+)?$'";

    private final DeadlinePool dataSource;
    private final Map<String, Table> opened = new ConcurrentHashMap<>();
    /** hnsw.ef_search last set on each physical connection, so a search sets it only when it changes. */
    private final Map<Object, Integer> efSearchByConnection = Collections.synchronizedMap(new WeakHashMap<>());

    PostgresSemanticStore(DeadlinePool dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public SemanticIndex open(IndexSpec spec) {
        if (!TS_CONFIG.matcher(spec.textSearch()).matches()) {
            throw new IllegalArgumentException("text_search \"" + spec.textSearch() + "\" is not a configuration name");
        }
        String table = tableName(spec.namespace());
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (var st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + Migrations.LOCK_KEY + ")");
                try {
                    st.execute("CREATE EXTENSION IF NOT EXISTS vector");
                } catch (SQLException e) {
                    throw new IllegalStateException("semantic namespace " + spec.namespace()
                            + ": the pgvector extension is not available in this database (" + e.getMessage().strip()
                            + "); install pgvector, or CREATE EXTENSION vector as a superuser", e);
                }
                String tsConfig = textSearchConfig(c, spec);
                register(c, spec, table);
                st.execute("CREATE TABLE IF NOT EXISTS " + table + " ("
                        + " scope text NOT NULL, id text NOT NULL,"
                        + " content text NOT NULL DEFAULT '', payload bytea NOT NULL DEFAULT '',"
                        + " vector vector(" + spec.dimensions() + ") NOT NULL,"
                        + " metadata jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL DEFAULT now(),"
                        + " valid_from timestamptz NOT NULL DEFAULT now(), valid_to timestamptz, deleted_at timestamptz,"
                        + " supersedes text[] NOT NULL DEFAULT '{}', source text NOT NULL DEFAULT '',"
                        + " version bigint NOT NULL DEFAULT 1,"
                        + " seq bigint GENERATED ALWAYS AS IDENTITY,"
                        + " tsv tsvector GENERATED ALWAYS AS (to_tsvector('" + tsConfig + "'::regconfig, content)) STORED,"
                        + " PRIMARY KEY (scope, id))");
                st.execute("CREATE INDEX IF NOT EXISTS " + table + "_live ON " + table
                        + " (scope, valid_from, valid_to) WHERE deleted_at IS NULL");
                st.execute("CREATE INDEX IF NOT EXISTS " + table + "_created ON " + table + " (scope, created_at)");
                st.execute("CREATE INDEX IF NOT EXISTS " + table + "_seq ON " + table + " (scope, seq)");
                st.execute("CREATE INDEX IF NOT EXISTS " + table + "_metadata ON " + table
                        + " USING gin (metadata jsonb_path_ops)");
                st.execute("CREATE INDEX IF NOT EXISTS " + table + "_tsv ON " + table + " USING gin (tsv)");
                try {
                    st.execute("CREATE INDEX IF NOT EXISTS " + table + "_hnsw ON " + table + " USING hnsw (vector "
                            + spec.distance().pgOpclass() + ") WITH (m = " + spec.hnswM() + ", ef_construction = "
                            + spec.hnswEfConstruction() + ")");
                } catch (SQLException e) {
                    throw new IllegalStateException("semantic namespace " + spec.namespace()
                            + ": creating the HNSW index on " + table + " failed: " + e.getMessage().strip(), e);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                Transactions.rollback(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("semantic namespace " + spec.namespace() + ": " + e.getMessage(), e);
        }
        Table t = new Table(spec, table);
        opened.put(spec.namespace(), t);
        return t;
    }

    /** Readiness: every opened namespace still has its table and a valid HNSW index. */
    void check() {
        if (opened.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); var st = c.prepareStatement(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid WHERE x.relname = ?")) {
            for (Table t : opened.values()) {
                st.setString(1, t.table + "_hnsw");
                try (ResultSet rs = st.executeQuery()) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        throw new IllegalStateException("semantic namespace " + t.spec.namespace() + ": HNSW index "
                                + t.table + "_hnsw is missing or invalid");
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("semantic readiness check failed: " + e.getMessage(), e);
        }
    }

    /** {@code semantic_<name>}, or a sanitized prefix plus a hash when the name is not a plain lower-case identifier. */
    static String tableName(String namespace) {
        if (PLAIN_NAME.matcher(namespace).matches()) {
            return "semantic_" + namespace;
        }
        String clean = namespace.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(namespace.getBytes(StandardCharsets.UTF_8));
            return "semantic_" + clean.substring(0, Math.min(30, clean.length())) + "_"
                    + HexFormat.of().formatHex(h, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String textSearchConfig(Connection c, IndexSpec spec) throws SQLException {
        try (var st = c.prepareStatement("SELECT cfgname FROM pg_ts_config WHERE cfgname = ?")) {
            st.setString(1, spec.textSearch());
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("semantic namespace " + spec.namespace() + ": text_search \""
                            + spec.textSearch() + "\" is not a text search configuration of this database");
                }
                return rs.getString(1);
            }
        }
    }

    private static void register(Connection c, IndexSpec spec, String table) throws SQLException {
        try (var st = c.prepareStatement(
                "SELECT table_name, dimensions, distance, text_search FROM semantic_namespaces WHERE name = ?")) {
            st.setString(1, spec.namespace());
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next()) {
                    if (rs.getInt(2) != spec.dimensions() || !rs.getString(3).equals(spec.distance().configName())
                            || !rs.getString(4).equals(spec.textSearch())) {
                        throw new IllegalStateException("semantic namespace " + spec.namespace() + " was created with "
                                + rs.getInt(2) + " dimensions, distance " + rs.getString(3) + ", text_search "
                                + rs.getString(4) + "; the config now says " + spec.dimensions() + ", "
                                + spec.distance().configName() + ", " + spec.textSearch()
                                + ". Re-embedding is a migration: use a new namespace name, or drop table "
                                + rs.getString(1) + " and its semantic_namespaces row");
                    }
                    return;
                }
            }
        }
        try (var st = c.prepareStatement("INSERT INTO semantic_namespaces(name, table_name, dimensions, distance,"
                + " text_search) VALUES (?, ?, ?, ?, ?)")) {
            st.setString(1, spec.namespace());
            st.setString(2, table);
            st.setInt(3, spec.dimensions());
            st.setString(4, spec.distance().configName());
            st.setString(5, spec.textSearch());
            st.executeUpdate();
        }
    }

    private final class Table implements SemanticIndex {
        private final IndexSpec spec;
        private final String table;

        Table(IndexSpec spec, String table) {
            this.spec = spec;
            this.table = table;
        }

        @Override
        public IndexSpec spec() {
            return spec;
        }

        @Override
        public List<Written> upsert(String scope, List<SemanticWrite> records) {
            String values = "(?, ?, ?, ?, ?, ?::jsonb, COALESCE(?, now()), ?, ?, ?, ?)";
            String insert = "INSERT INTO " + table + " AS r (scope, id, content, payload, vector, metadata, valid_from,"
                    + " valid_to, deleted_at, supersedes, source) VALUES " + values;
            String set = " content = EXCLUDED.content, payload = EXCLUDED.payload, vector = EXCLUDED.vector,"
                    + " metadata = EXCLUDED.metadata, valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to,"
                    + " deleted_at = EXCLUDED.deleted_at, supersedes = EXCLUDED.supersedes, source = EXCLUDED.source,"
                    + " version = r.version + 1";
            String upsert = insert + " ON CONFLICT (scope, id) DO UPDATE SET" + set + " RETURNING version, valid_from";
            String create = insert + " ON CONFLICT (scope, id) DO NOTHING RETURNING version, valid_from";
            // A CAS on an existing version: the same assignments, guarded by the stored version.
            String cas = "WITH n (scope, id, content, payload, vector, metadata, valid_from, valid_to, deleted_at,"
                    + " supersedes, source) AS (VALUES (?, ?, ?, ?, ?::vector, ?::jsonb, COALESCE(?::timestamptz, now()),"
                    + " ?::timestamptz, ?::timestamptz, ?::text[], ?)) UPDATE " + table + " AS r SET"
                    + set.replace("EXCLUDED.", "n.") + " FROM n WHERE r.scope = n.scope AND r.id = n.id"
                    + " AND r.version = ? RETURNING r.version, r.valid_from";
            String supersede = "UPDATE " + table + " SET valid_to = ? WHERE scope = ? AND id = ANY (?) AND id <> ?"
                    + " AND deleted_at IS NULL AND (valid_to IS NULL OR valid_to > ?)";
            try (Connection c = dataSource.getConnection()) {
                return Transactions.in(c, tx -> {
                    var out = new ArrayList<Written>(records.size());
                    for (SemanticWrite w : records) {
                        String sql = w.ifVersion().isEmpty() ? upsert : w.ifVersion().getAsLong() == 0 ? create : cas;
                        Timestamp validFrom;
                        long version;
                        try (PreparedStatement st = tx.prepareStatement(sql)) {
                            st.setString(1, scope);
                            st.setString(2, w.id());
                            st.setString(3, w.content());
                            st.setBytes(4, w.payload());
                            st.setObject(5, new PGvector(w.vector()));
                            st.setString(6, Json.write(w.metadata()));
                            st.setTimestamp(7, w.validFrom().map(Timestamp::from).orElse(null));
                            st.setTimestamp(8, w.validTo().map(Timestamp::from).orElse(null));
                            st.setTimestamp(9, w.deletedAt().map(Timestamp::from).orElse(null));
                            st.setArray(10, tx.createArrayOf("text", w.supersedes().toArray()));
                            st.setString(11, w.source());
                            if (sql == cas) {
                                st.setLong(12, w.ifVersion().getAsLong());
                            }
                            try (ResultSet rs = st.executeQuery()) {
                                if (!rs.next()) {
                                    throw ApiException.failedPrecondition("version mismatch");
                                }
                                version = rs.getLong(1);
                                validFrom = rs.getTimestamp(2);
                            }
                        }
                        if (!w.supersedes().isEmpty()) {
                            try (PreparedStatement st = tx.prepareStatement(supersede)) {
                                st.setTimestamp(1, validFrom);
                                st.setString(2, scope);
                                st.setArray(3, tx.createArrayOf("text", w.supersedes().toArray()));
                                st.setString(4, w.id());
                                st.setTimestamp(5, validFrom);
                                st.executeUpdate();
                            }
                        }
                        out.add(new Written(w.id(), version));
                    }
                    return out;
                });
            } catch (SQLException e) {
                throw PostgresErrors.failure("semantic.upsert", e);
            }
        }

        @Override
        public List<Hit> search(String scope, SemanticQuery q) {
            var where = new StringBuilder(" WHERE scope = ?");
            var params = new ArrayList<Object>();
            params.add(scope);
            narrow(q, where, params);
            String columns = columns(q.includePayload(), q.includeVector());
            String sql;
            var head = new ArrayList<Object>();
            if (q.vector().isPresent()) {
                // ORDER BY the output column: the HNSW index still orders, and the vector is sent once.
                sql = "SELECT " + columns + ", vector " + spec.distance().pgOperator() + " ? AS distance FROM " + table
                        + where + " ORDER BY distance LIMIT ?";
                head.add(new PGvector(q.vector().get()));
            } else {
                String terms = String.join(" | ", Terms.of(q.text().get()));
                if (terms.isEmpty()) {
                    return List.of();
                }
                sql = "SELECT " + columns + ", ts_rank(tsv, query) AS rank FROM " + table
                        + ", to_tsquery('" + spec.textSearch() + "', ?) AS query" + where
                        + " AND tsv @@ query ORDER BY rank DESC, id LIMIT ?";
                head.add(terms);
            }
            params.add(q.limit());
            head.addAll(params);
            try (Connection c = dataSource.getConnection()) {
                if (q.vector().isPresent()) {
                    searchSettings(c, q.limit());
                }
                try (PreparedStatement st = c.prepareStatement(sql)) {
                    bind(st, head);
                    var hits = new ArrayList<Hit>();
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            double raw = rs.getDouble(13);
                            hits.add(new Hit(record(rs), q.vector().isPresent() ? score(raw) : (float) raw));
                        }
                    }
                    return hits;
                }
            } catch (SQLException e) {
                throw PostgresErrors.failure("semantic.search", e);
            }
        }

        /** Filters, predicates, creation bounds and the lifecycle filter, as SQL with parameters. */
        private void narrow(SemanticQuery q, StringBuilder where, List<Object> params) {
            if (!q.includeInvalidated()) {
                lifecycle(q.asOf(), where, params);
            }
            if (!q.filter().isEmpty()) {
                where.append(" AND metadata @> ?::jsonb");
                params.add(Json.write(q.filter()));
            }
            for (Predicate p : q.predicates()) {
                switch (p.op()) {
                    case EQ -> where.append(" AND metadata ->> ? = ?");
                    case NEQ -> where.append(" AND metadata ->> ? <> ?");
                    case IN -> where.append(" AND metadata ->> ? = ANY (?)");
                    default -> where.append(" AND (CASE WHEN metadata ->> ? ~ " + NUMERIC_GUARD
                            + " THEN (metadata ->> ?)::numeric END) " + switch (p.op()) {
                                case GT -> ">";
                                case GTE -> ">=";
                                case LT -> "<";
                                default -> "<=";
                            } + " ?");
                }
                params.add(p.key());
                if (p.op().numeric()) {
                    params.add(p.key());
                    params.add(p.number());
                } else if (p.op() == Predicate.Op.IN) {
                    params.add(p.values().toArray(String[]::new));
                } else {
                    params.add(p.values().getFirst());
                }
            }
            q.createdAfter().ifPresent(t -> {
                where.append(" AND created_at > ?");
                params.add(Timestamp.from(t));
            });
            q.createdBefore().ifPresent(t -> {
                where.append(" AND created_at < ?");
                params.add(Timestamp.from(t));
            });
        }

        private static void lifecycle(Optional<Instant> asOf, StringBuilder where, List<Object> params) {
            String at = asOf.isPresent() ? "?::timestamptz" : "now()";
            where.append(" AND deleted_at IS NULL AND valid_from <= ").append(at)
                    .append(" AND (valid_to IS NULL OR valid_to > ").append(at).append(")");
            asOf.ifPresent(t -> {
                params.add(Timestamp.from(t));
                params.add(Timestamp.from(t));
            });
        }

        /**
         * HNSW returns at most ef_search rows: raise it for large top_k. Iterative scans keep
         * filtered searches from coming back short. Set per physical connection, only on change.
         */
        private void searchSettings(Connection c, int limit) throws SQLException {
            int ef = Math.max(spec.hnswEfSearch(), Math.min(limit, 1000));
            Object physical = c.unwrap(PGConnection.class);
            if (!Integer.valueOf(ef).equals(efSearchByConnection.get(physical))) {
                try (var st = c.createStatement()) {
                    st.execute("SET hnsw.ef_search = " + ef + "; SET hnsw.iterative_scan = strict_order");
                }
                efSearchByConnection.put(physical, ef);
            }
        }

        private float score(double distance) {
            if (Double.isNaN(distance)) {
                return 0f;
            }
            return switch (spec.distance()) {
                case COSINE -> (float) Math.max(-1, Math.min(1, 1 - distance));
                case INNER_PRODUCT, L2 -> (float) -distance;
            };
        }

        @Override
        public Optional<SemanticRecord> get(String scope, String id, Optional<Instant> asOf, boolean includeInvalidated,
                                            boolean includePayload, boolean includeVector) {
            var where = new StringBuilder(" WHERE scope = ? AND id = ?");
            var params = new ArrayList<Object>(List.of(scope, id));
            if (!includeInvalidated) {
                lifecycle(asOf, where, params);
            }
            String sql = "SELECT " + columns(includePayload, includeVector) + " FROM " + table + where;
            try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
                bind(st, params);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? Optional.of(record(rs)) : Optional.empty();
                }
            } catch (SQLException e) {
                throw PostgresErrors.failure("semantic.get", e);
            }
        }

        /** Every store of this backend read in one REPEATABLE READ transaction (DeadlinePool#snapshot). */
        @Override
        public <T> T snapshot(java.util.function.Supplier<T> reads) {
            return dataSource.snapshot("semantic.search", reads);
        }

        @Override
        public boolean threadBoundSnapshot() {
            return true;
        }

        /** One statement: the ids as an array, narrowed like a search. */
        @Override
        public List<SemanticRecord> records(String scope, java.util.Collection<String> ids, SemanticQuery narrowing) {
            if (ids.isEmpty()) {
                return List.of();
            }
            var where = new StringBuilder(" WHERE scope = ? AND id = ANY (?)");
            var params = new ArrayList<Object>(List.of(scope, ids.toArray(String[]::new)));
            narrow(narrowing, where, params);
            String sql = "SELECT " + columns(narrowing.includePayload(), narrowing.includeVector()) + " FROM " + table + where;
            try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
                bind(st, params);
                var out = new ArrayList<SemanticRecord>();
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(record(rs));
                    }
                }
                return out;
            } catch (SQLException e) {
                throw PostgresErrors.failure("semantic.search", e);
            }
        }

        @Override
        public boolean delete(String scope, String id, boolean hard) {
            String sql = hard ? "DELETE FROM " + table + " WHERE scope = ? AND id = ?"
                    : "UPDATE " + table + " SET deleted_at = now() WHERE scope = ? AND id = ? AND deleted_at IS NULL";
            try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
                st.setString(1, scope);
                st.setString(2, id);
                return st.executeUpdate() > 0;
            } catch (SQLException e) {
                throw PostgresErrors.failure("semantic.delete", e);
            }
        }

        @Override
        public long expire(String scope, Map<String, String> filter, ExpireAction action, int maxRows) {
            String condition = switch (action) {
                case INVALIDATE -> " AND deleted_at IS NULL AND valid_from <= now()"
                        + " AND (valid_to IS NULL OR valid_to > now())";
                case SOFT_DELETE -> " AND deleted_at IS NULL";
                case HARD_DELETE -> "";
            };
            String victims = "WITH v AS (SELECT id FROM " + table + " WHERE scope = ? AND metadata @> ?::jsonb"
                    + condition + " ORDER BY seq LIMIT ? FOR UPDATE) ";
            String sql = victims + switch (action) {
                case INVALIDATE -> "UPDATE " + table + " t SET valid_to = now()";
                case SOFT_DELETE -> "UPDATE " + table + " t SET deleted_at = now()";
                case HARD_DELETE -> "DELETE FROM " + table + " t";
            } + (action == ExpireAction.HARD_DELETE ? " USING v" : " FROM v") + " WHERE t.scope = ? AND t.id = v.id";
            try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
                st.setString(1, scope);
                st.setString(2, Json.write(filter));
                st.setInt(3, maxRows);
                st.setString(4, scope);
                return st.executeUpdate();
            } catch (SQLException e) {
                throw PostgresErrors.failure("semantic.expire", e);
            }
        }
    }

    /** The record columns {@link #record} reads; payload and vector only when asked for. */
    private static String columns(boolean payload, boolean vector) {
        return "id, content, " + (payload ? "payload" : "''::bytea") + ", " + (vector ? "vector::text" : "NULL::text")
                + ", metadata::text, created_at, valid_from, valid_to, deleted_at, supersedes, source, version";
    }

    private static void bind(PreparedStatement st, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object p = params.get(i);
            if (p instanceof String[] array) {
                st.setArray(i + 1, st.getConnection().createArrayOf("text", array));
            } else {
                st.setObject(i + 1, p);
            }
        }
    }

    private static SemanticRecord record(ResultSet rs) throws SQLException {
        String vector = rs.getString(4);
        Timestamp validTo = rs.getTimestamp(8);
        Timestamp deletedAt = rs.getTimestamp(9);
        return new SemanticRecord(rs.getString(1), rs.getString(2), rs.getBytes(3),
                vector == null ? new float[0] : new PGvector(vector).toArray(), Json.read(rs.getString(5)),
                rs.getTimestamp(6).toInstant(), rs.getTimestamp(7).toInstant(),
                Optional.ofNullable(validTo).map(Timestamp::toInstant),
                Optional.ofNullable(deletedAt).map(Timestamp::toInstant),
                List.of((String[]) rs.getArray(10).getArray()), rs.getString(11), rs.getLong(12));
    }
}
