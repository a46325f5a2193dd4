package io.memsidecar.driver.sqlite;

import io.memsidecar.graph.spi.Direction;
import io.memsidecar.graph.spi.Expander;
import io.memsidecar.graph.spi.GraphEdge;
import io.memsidecar.graph.spi.GraphNode;
import io.memsidecar.graph.spi.GraphStore;
import io.memsidecar.graph.spi.NeighborQuery;
import io.memsidecar.graph.spi.Reach;
import io.memsidecar.graph.spi.ReachQuery;
import io.memsidecar.graph.spi.Step;
import io.memsidecar.graph.spi.Subgraph;
import io.memsidecar.graph.spi.TraverseQuery;
import io.memsidecar.graph.spi.Walk;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Graphs in SQLite: nodes and edges tables, edges indexed by each end; a walk is
 * {@link Walk} over an {@link Expander} that reads, per node, its incident valid edges in id
 * order joined with the node at the other end — all under one lock, so a walk sees one state.
 */
final class SqliteGraphStore implements GraphStore {
    private static final String EDGE = "e.id, e.type, e.from_id, e.to_id, e.props, e.created_at, e.valid_from, e.valid_to";
    private static final String NODE = "n.id, n.labels, n.props, n.created_at";

    private final Db db;

    SqliteGraphStore(Db db) {
        this.db = db;
    }

    @Override
    public void upsertNodes(String namespace, List<GraphNode> nodes) {
        db.write("graph.upsert", c -> {
            long now = db.now();
            try (var st = c.prepareStatement("INSERT INTO graph_nodes (namespace, id, labels, props, created_at) VALUES (?, ?, ?, ?, ?)"
                    + " ON CONFLICT (namespace, id) DO UPDATE SET labels = excluded.labels, props = excluded.props")) {
                for (GraphNode n : nodes) {
                    st.setString(1, namespace);
                    st.setString(2, n.id());
                    st.setString(3, Db.json(n.labels()));
                    st.setString(4, Db.json(n.props()));
                    st.setLong(5, now);
                    st.addBatch();
                }
                st.executeBatch();
            }
            return null;
        });
    }

    @Override
    public void upsertEdges(String namespace, List<GraphEdge> edges) {
        db.write("graph.upsert", c -> {
            long now = db.now();
            try (var st = c.prepareStatement("INSERT INTO graph_edges (namespace, id, type, from_id, to_id, props, created_at,"
                    + " valid_from, valid_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (namespace, id) DO UPDATE SET"
                    + " type = excluded.type, from_id = excluded.from_id, to_id = excluded.to_id, props = excluded.props,"
                    + " valid_from = excluded.valid_from, valid_to = excluded.valid_to")) {
                for (GraphEdge e : edges) {
                    st.setString(1, namespace);
                    st.setString(2, e.id());
                    st.setString(3, e.type());
                    st.setString(4, e.from());
                    st.setString(5, e.to());
                    st.setString(6, Db.json(e.props()));
                    st.setLong(7, now);
                    setTime(st, 8, e.validFrom());
                    setTime(st, 9, e.validTo());
                    st.addBatch();
                }
                st.executeBatch();
            }
            return null;
        });
    }

    @Override
    public Optional<GraphNode> node(String namespace, String id) {
        return db.read("graph.get", c -> node(c, namespace, id));
    }

    @Override
    public Optional<Subgraph> neighbors(String namespace, NeighborQuery query) {
        long t = query.asOf().map(Db::micros).orElseGet(db::now);
        return db.read("graph.neighbors", c -> node(c, namespace, query.nodeId())
                .map(centre -> Walk.neighbors(centre, query, expander(c, namespace, t))));
    }

    @Override
    public Optional<Subgraph> traverse(String namespace, TraverseQuery query) {
        long t = query.asOf().map(Db::micros).orElseGet(db::now);
        return db.read("graph.traverse", c -> node(c, namespace, query.startId())
                .map(start -> Walk.traverse(start, query, expander(c, namespace, t))));
    }

    @Override
    public Reach reach(String namespace, ReachQuery query) {
        long t = query.asOf().map(Db::micros).orElseGet(db::now);
        return db.read("graph.query", c -> {
            var starts = new ArrayList<GraphNode>();
            for (String id : query.startIds()) {
                node(c, namespace, id).ifPresent(starts::add);
            }
            return Walk.reach(starts, query, expander(c, namespace, t));
        });
    }

    /** Incident valid edges of each node, in id order, at most perNode, each with its other end (which must exist). */
    private static Expander expander(Connection c, String namespace, long t) {
        return (from, direction, types, perNode) -> {
            var result = new LinkedHashMap<String, List<Step>>();
            try {
                for (String node : from) {
                    result.put(node, steps(c, namespace, node, direction, types, perNode, t));
                }
            } catch (SQLException e) {
                throw Db.failure("graph.walk", e);
            }
            return result;
        };
    }

    private static List<Step> steps(Connection c, String namespace, String node, Direction direction, Set<String> types,
                                    int perNode, long t) throws SQLException {
        // Each side through its own index, named: without ANALYZE statistics SQLite would rather walk the
        // namespace's primary key in id order (for the ORDER BY), reading every edge of the graph per node.
        String edges = direction.out() && direction.in()
                ? "(SELECT * FROM graph_edges INDEXED BY graph_edges_from WHERE namespace = ?2 AND from_id = ?1"
                        + " UNION ALL SELECT * FROM graph_edges INDEXED BY graph_edges_to"
                        + " WHERE namespace = ?2 AND to_id = ?1 AND from_id <> ?1) e"
                : direction.out() ? "graph_edges e INDEXED BY graph_edges_from" : "graph_edges e INDEXED BY graph_edges_to";
        String ends = direction.out() && direction.in() ? "" : direction.out() ? " AND e.from_id = ?1" : " AND e.to_id = ?1";
        var sql = new StringBuilder("SELECT " + EDGE + ", " + NODE + " FROM " + edges + " JOIN graph_nodes n"
                + " ON n.namespace = e.namespace AND n.id = CASE WHEN e.from_id = ?1 THEN e.to_id ELSE e.from_id END"
                + " WHERE e.namespace = ?2" + ends + " AND (e.valid_from IS NULL OR e.valid_from <= ?3)"
                + " AND (e.valid_to IS NULL OR ?3 < e.valid_to)");
        if (!types.isEmpty()) {
            sql.append(" AND e.type IN (").append(String.join(", ", types.stream().map(x -> "?").toList())).append(")");
        }
        sql.append(" ORDER BY e.id LIMIT ?");
        try (var st = c.prepareStatement(sql.toString())) {
            st.setString(1, node);
            st.setString(2, namespace);
            st.setLong(3, t);
            int i = 4;
            for (String type : types) {
                st.setString(i++, type);
            }
            st.setInt(i, perNode);
            var out = new ArrayList<Step>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new Step(edge(rs), new GraphNode(rs.getString(9), Db.list(rs.getString(10)), Db.map(rs.getString(11)),
                            Db.instant(rs.getLong(12)))));
                }
            }
            return out;
        }
    }

    @Override
    public boolean deleteNode(String namespace, String id, boolean cascade) {
        return db.write("graph.delete", c -> {
            if (node(c, namespace, id).isEmpty()) {
                return false;
            }
            long incident;
            try (var st = c.prepareStatement("SELECT count(*) FROM graph_edges WHERE namespace = ? AND (from_id = ? OR to_id = ?)")) {
                st.setString(1, namespace);
                st.setString(2, id);
                st.setString(3, id);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    incident = rs.getLong(1);
                }
            }
            if (incident > 0 && !cascade) {
                throw GraphStore.edgesRemain(id, incident);
            }
            try (var st = c.prepareStatement("DELETE FROM graph_edges WHERE namespace = ? AND (from_id = ? OR to_id = ?)")) {
                st.setString(1, namespace);
                st.setString(2, id);
                st.setString(3, id);
                st.executeUpdate();
            }
            return delete(c, "graph_nodes", namespace, id);
        });
    }

    @Override
    public boolean deleteEdge(String namespace, String id) {
        return db.write("graph.delete", c -> delete(c, "graph_edges", namespace, id));
    }

    @Override
    public OptionalLong size(String namespace) {
        return OptionalLong.of(db.read("graph.size", c -> {
            try (var st = c.prepareStatement("SELECT count(*) FROM graph_nodes WHERE namespace = ?")) {
                st.setString(1, namespace);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }));
    }

    private static boolean delete(Connection c, String table, String namespace, String id) throws SQLException {
        try (var st = c.prepareStatement("DELETE FROM " + table + " WHERE namespace = ? AND id = ?")) {
            st.setString(1, namespace);
            st.setString(2, id);
            return st.executeUpdate() > 0;
        }
    }

    private static Optional<GraphNode> node(Connection c, String namespace, String id) throws SQLException {
        try (var st = c.prepareStatement("SELECT " + NODE + " FROM graph_nodes n WHERE n.namespace = ? AND n.id = ?")) {
            st.setString(1, namespace);
            st.setString(2, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(new GraphNode(rs.getString(1), Db.list(rs.getString(2)), Db.map(rs.getString(3)),
                        Db.instant(rs.getLong(4)))) : Optional.empty();
            }
        }
    }

    private static GraphEdge edge(ResultSet rs) throws SQLException {
        return new GraphEdge(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), Db.map(rs.getString(5)),
                Db.instant(rs.getLong(6)), time(rs, 7), time(rs, 8));
    }

    private static Optional<Instant> time(ResultSet rs, int column) throws SQLException {
        long micros = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Db.instant(micros));
    }

    private static void setTime(PreparedStatement st, int index, Optional<Instant> t) throws SQLException {
        if (t.isPresent()) {
            st.setLong(index, Db.micros(t.get()));
        } else {
            st.setNull(index, Types.BIGINT);
        }
    }
}
