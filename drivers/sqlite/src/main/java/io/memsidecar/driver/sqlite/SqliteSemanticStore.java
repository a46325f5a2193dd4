package io.memsidecar.driver.sqlite;

import io.github.jbellis.jvector.disk.ByteBufferReader;
import io.memsidecar.semantic.spi.ExpireAction;
import io.memsidecar.semantic.spi.Hit;
import io.memsidecar.semantic.spi.IndexSpec;
import io.memsidecar.semantic.spi.SemanticIndex;
import io.memsidecar.semantic.spi.SemanticQuery;
import io.memsidecar.semantic.spi.SemanticRecord;
import io.memsidecar.semantic.spi.SemanticStore;
import io.memsidecar.semantic.spi.SemanticTable;
import io.memsidecar.semantic.spi.SemanticTable.Row;
import io.memsidecar.semantic.spi.SemanticWrite;
import io.memsidecar.semantic.spi.Written;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Semantic namespaces in the SQLite file. The database is the truth: every write is one
 * transaction there before it becomes visible. Searches run on a mirror in memory (a
 * {@link SemanticTable} without payloads and original vectors, which are read from the file for
 * the hits that ask for them), loaded when the namespace opens: exact search for a scope of at
 * most {@code exactMax} candidates, above that an {@link AnnGraph} per scope, kept up to date on
 * every write and saved beside the database ({@code <file>.ann/<namespace>.graph}) on close and
 * by the sweeper, so a restart reads it back instead of rebuilding it (records written after
 * the last save are reconciled by version).
 */
final class SqliteSemanticStore implements SemanticStore {
    private static final System.Logger LOG = System.getLogger(SqliteSemanticStore.class.getName());
    private static final int MAGIC = 0x4d53414e; // "MSAN"
    private static final int FORMAT = 1;

    private final Db db;
    private final Path annDir;
    private final int exactMax;
    private final Map<String, Index> indexes = new HashMap<>();

    SqliteSemanticStore(Db db, Path annDir, int exactMax) {
        this.db = db;
        this.annDir = annDir;
        this.exactMax = exactMax;
    }

    @Override
    public synchronized SemanticIndex open(IndexSpec spec) {
        Index open = indexes.get(spec.namespace());
        if (open != null) {
            open.table.spec().requireSameLayout(spec);
            return open;
        }
        db.write("semantic.open", c -> {
            try (var st = c.prepareStatement("SELECT dimensions, distance FROM semantic_indexes WHERE name = ?")) {
                st.setString(1, spec.namespace());
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next() && (rs.getInt(1) != spec.dimensions() || !rs.getString(2).equals(spec.distance().configName()))) {
                        throw new IllegalArgumentException("semantic namespace " + spec.namespace() + " is stored with "
                                + rs.getInt(1) + " dimensions (" + rs.getString(2) + "), the config says " + spec.dimensions()
                                + " (" + spec.distance().configName() + "): use another namespace name or remove its records");
                    }
                }
            }
            try (var st = c.prepareStatement("INSERT OR IGNORE INTO semantic_indexes (name, dimensions, distance) VALUES (?, ?, ?)")) {
                st.setString(1, spec.namespace());
                st.setInt(2, spec.dimensions());
                st.setString(3, spec.distance().configName());
                st.executeUpdate();
            }
            return null;
        });
        var index = new Index(spec);
        index.load();
        indexes.put(spec.namespace(), index);
        return index;
    }

    /** Saves the graphs that changed since their last save (the sweeper, and close). */
    synchronized void save() {
        indexes.values().forEach(Index::save);
    }

    private Instant now() {
        return Db.instant(db.now());
    }

    private final class Index implements SemanticIndex {
        private final SemanticTable table;
        private final Map<String, AnnGraph> graphs = new HashMap<>();
        private final Path file;
        private boolean dirty;

        Index(IndexSpec spec) {
            this.table = new SemanticTable(spec, false);
            this.file = annDir.resolve(spec.namespace() + ".graph");
        }

        @Override
        public IndexSpec spec() {
            return table.spec();
        }

        @Override
        public List<Written> upsert(String scope, List<SemanticWrite> records) {
            return table.write(() -> {
                var change = table.upsert(scope, records, now());
                persist(change);
                return change.versions();
            });
        }

        @Override
        public boolean delete(String scope, String id, boolean hard) {
            return table.write(() -> persist(table.delete(scope, id, hard, now())) > 0);
        }

        @Override
        public long expire(String scope, Map<String, String> filter, ExpireAction action, int maxRows) {
            return table.write(() -> persist(table.expire(scope, filter, action, maxRows, now())));
        }

        /** Writes a change in one transaction, then shows it: the table, then the scope's graph. */
        private long persist(SemanticTable.Change change) {
            if (change.count() == 0) {
                return 0;
            }
            String name = table.spec().namespace();
            db.write("semantic.write", c -> {
                try (var put = c.prepareStatement("INSERT OR REPLACE INTO semantic_records (idx, scope, id, seq, content, payload,"
                        + " vector, metadata, created_at, valid_from, valid_to, deleted_at, supersedes, source, version)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    for (Row row : change.written()) {
                        SemanticRecord r = row.record();
                        put.setString(1, name);
                        put.setString(2, change.scope());
                        put.setString(3, r.id());
                        put.setLong(4, row.seq());
                        put.setString(5, r.content());
                        put.setBytes(6, r.payload());
                        put.setBytes(7, bytes(r.vector()));
                        put.setString(8, Db.json(r.metadata()));
                        put.setLong(9, Db.micros(r.createdAt()));
                        put.setLong(10, Db.micros(r.validFrom()));
                        setTime(put, 11, r.validTo());
                        setTime(put, 12, r.deletedAt());
                        put.setString(13, Db.json(r.supersedes()));
                        put.setString(14, r.source());
                        put.setLong(15, r.version());
                        put.addBatch();
                    }
                    put.executeBatch();
                }
                try (var life = c.prepareStatement("UPDATE semantic_records SET valid_to = ?, deleted_at = ?"
                        + " WHERE idx = ? AND scope = ? AND id = ?")) {
                    for (Row row : change.lifecycle()) {
                        setTime(life, 1, row.record().validTo());
                        setTime(life, 2, row.record().deletedAt());
                        life.setString(3, name);
                        life.setString(4, change.scope());
                        life.setString(5, row.record().id());
                        life.addBatch();
                    }
                    life.executeBatch();
                }
                try (var del = c.prepareStatement("DELETE FROM semantic_records WHERE idx = ? AND scope = ? AND id = ?")) {
                    for (String id : change.removed()) {
                        del.setString(1, name);
                        del.setString(2, change.scope());
                        del.setString(3, id);
                        del.addBatch();
                    }
                    del.executeBatch();
                }
                return null;
            });
            table.apply(change);
            if (!change.written().isEmpty() || !change.removed().isEmpty()) {
                AnnGraph graph = graphs.computeIfAbsent(change.scope(), s -> new AnnGraph(table.spec()));
                change.written().forEach(row -> graph.put(row.record().id(), row.prepared()));
                change.removed().forEach(graph::remove);
                dirty = true;
            }
            return change.count();
        }

        @Override
        public List<Hit> search(String scope, SemanticQuery q) {
            Instant now = now();
            return table.read(() -> {
                Instant at = q.asOf().orElse(now);
                Map<String, Row> rows = table.rows(scope);
                AnnGraph graph = graphs.get(scope);
                List<Hit> hits;
                if (q.vector().isEmpty() || graph == null || rows.size() <= exactMax) {
                    hits = table.rank(rows.values(), q, at);
                } else {
                    List<Row> matching = narrowed(q) ? rows.values().stream()
                            .filter(row -> SemanticTable.matches(row.record(), q, at)).toList() : null;
                    if (matching != null && matching.size() <= exactMax) {
                        hits = table.rank(matching, q, at);
                    } else {
                        // the graph proposes ef_search candidates among the matching records; they are
                        // ranked exactly, so a hit's score is the same as on every other driver
                        List<String> near = graph.nearest(table.spec().distance().prepare(q.vector().get()),
                                Math.max(q.limit(), table.spec().hnswEfSearch()),
                                id -> SemanticTable.matches(rows.get(id).record(), q, at));
                        hits = table.rank(near.stream().map(rows::get).toList(), q, at);
                    }
                }
                return hydrate(scope, hits, q.includePayload(), q.includeVector());
            });
        }

        /** Whether a query narrows the candidates beyond the lifecycle filter. */
        private static boolean narrowed(SemanticQuery q) {
            return !q.filter().isEmpty() || !q.predicates().isEmpty() || q.createdAfter().isPresent()
                    || q.createdBefore().isPresent() || q.includeInvalidated() || q.asOf().isPresent();
        }

        @Override
        public Optional<SemanticRecord> get(String scope, String id, Optional<Instant> asOf, boolean includeInvalidated,
                                            boolean includePayload, boolean includeVector) {
            Instant now = now();
            return table.read(() -> table.get(scope, id, asOf.orElse(now), includeInvalidated, false, false)
                    .map(r -> hydrate(scope, List.of(new Hit(r, 0)), includePayload, includeVector).getFirst().record()));
        }

        /** The hits with their payloads and vectors read from the file, when asked for. */
        private List<Hit> hydrate(String scope, List<Hit> hits, boolean payload, boolean vector) {
            if (hits.isEmpty() || (!payload && !vector)) {
                return hits;
            }
            return db.read("semantic.read", c -> {
                var out = new ArrayList<Hit>(hits.size());
                try (var st = c.prepareStatement("SELECT payload, vector FROM semantic_records WHERE idx = ? AND scope = ? AND id = ?")) {
                    for (Hit h : hits) {
                        SemanticRecord r = h.record();
                        st.setString(1, table.spec().namespace());
                        st.setString(2, scope);
                        st.setString(3, r.id());
                        try (ResultSet rs = st.executeQuery()) {
                            rs.next();
                            out.add(new Hit(new SemanticRecord(r.id(), r.content(), payload ? rs.getBytes(1) : new byte[0],
                                    vector ? floats(rs.getBytes(2)) : new float[0], r.metadata(), r.createdAt(), r.validFrom(),
                                    r.validTo(), r.deletedAt(), r.supersedes(), r.source(), r.version()), h.score()));
                        }
                    }
                }
                return out;
            });
        }

        /** Reads the namespace's records into the table, then each scope's graph: from its saved file, else built. */
        void load() {
            var current = new HashMap<String, Map<String, AnnGraph.Current>>();
            db.read("semantic.load", c -> {
                try (var st = c.prepareStatement("SELECT scope, seq, id, content, vector, metadata, created_at, valid_from, valid_to,"
                        + " deleted_at, supersedes, source, version FROM semantic_records WHERE idx = ? ORDER BY seq")) {
                    st.setString(1, table.spec().namespace());
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            var r = new SemanticRecord(rs.getString(3), rs.getString(4), new byte[0], floats(rs.getBytes(5)),
                                    Db.map(rs.getString(6)), Db.instant(rs.getLong(7)), Db.instant(rs.getLong(8)), time(rs, 9),
                                    time(rs, 10), Db.list(rs.getString(11)), rs.getString(12), rs.getLong(13));
                            Row row = table.load(rs.getString(1), r, rs.getLong(2));
                            current.computeIfAbsent(rs.getString(1), s -> new HashMap<>())
                                    .put(r.id(), new AnnGraph.Current(r.version(), row.prepared()));
                        }
                    }
                }
                return null;
            });
            if (!readGraphs(current)) {
                graphs.clear();
                current.forEach((scope, records) -> {
                    var graph = new AnnGraph(table.spec());
                    graph.build(records);
                    graphs.put(scope, graph);
                });
                dirty = !current.isEmpty();
            }
        }

        /** Reads the saved graphs; false when there is no usable file (then every graph is built). */
        private boolean readGraphs(Map<String, Map<String, AnnGraph.Current>> current) {
            if (!Files.exists(file)) {
                return false;
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                var in = new ByteBufferReader(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()));
                IndexSpec spec = table.spec();
                if (in.readInt() != MAGIC || in.readInt() != FORMAT || in.readInt() != spec.dimensions()
                        || in.readInt() != spec.distance().ordinal() || in.readInt() != spec.hnswM()
                        || in.readInt() != spec.hnswEfConstruction()) {
                    LOG.log(System.Logger.Level.INFO, "semantic namespace " + spec.namespace() + ": " + file
                            + " was written for other settings; rebuilding its graphs");
                    return false;
                }
                int scopes = in.readInt();
                for (int i = 0; i < scopes; i++) {
                    var name = new byte[in.readInt()];
                    in.readFully(name);
                    String scope = new String(name, StandardCharsets.UTF_8);
                    var graph = new AnnGraph(spec);
                    dirty |= graph.load(in, current.getOrDefault(scope, Map.of()));
                    graphs.put(scope, graph);
                }
                current.forEach((scope, records) -> graphs.computeIfAbsent(scope, s -> {
                    var graph = new AnnGraph(spec);
                    graph.build(records);
                    dirty = true;
                    return graph;
                }));
                return true;
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "semantic namespace " + table.spec().namespace() + ": cannot read " + file
                        + " (" + e + "); rebuilding its graphs");
                return false;
            }
        }

        /** Writes the graphs to a temporary file, syncs it and renames it over the last one. */
        void save() {
            table.write(() -> {
                if (!dirty) {
                    return null;
                }
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                try {
                    Files.createDirectories(annDir);
                    try (OutputStream os = Files.newOutputStream(tmp);
                         var out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
                        IndexSpec spec = table.spec();
                        for (int v : new int[] {MAGIC, FORMAT, spec.dimensions(), spec.distance().ordinal(), spec.hnswM(),
                                spec.hnswEfConstruction(), graphs.size()}) {
                            out.writeInt(v);
                        }
                        for (var e : graphs.entrySet()) {
                            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
                            out.writeInt(name.length);
                            out.write(name);
                            Map<String, Row> rows = table.rows(e.getKey());
                            e.getValue().save(out, id -> rows.get(id).record().version());
                        }
                    }
                    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    dirty = false;
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "semantic namespace " + table.spec().namespace() + ": cannot save "
                            + file + " (" + e + "); the next start rebuilds it");
                }
                return null;
            });
        }
    }

    private static void setTime(PreparedStatement st, int i, Optional<Instant> t) throws SQLException {
        if (t.isPresent()) {
            st.setLong(i, Db.micros(t.get()));
        } else {
            st.setNull(i, Types.BIGINT);
        }
    }

    private static Optional<Instant> time(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? Optional.empty() : Optional.of(Db.instant(v));
    }

    /** A vector as little-endian float32. */
    static byte[] bytes(float[] v) {
        var b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    static float[] floats(byte[] b) {
        var v = new float[b.length / Float.BYTES];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }
}
