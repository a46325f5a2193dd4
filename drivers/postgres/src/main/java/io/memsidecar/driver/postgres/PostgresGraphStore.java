package io.memsidecar.driver.postgres;

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
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The graph on PostgreSQL (spec §6.6 tables). Upserts are one transaction per batch, rows in id
 * order (so two batches never deadlock). Neighbors and Traverse run {@link Walk} in one
 * read-only REPEATABLE READ transaction: a node lookup, then one set-based query per level that
 * returns, for every frontier node at once, its first edges in id order with the nodes at their
 * other ends — never a query per visited node. Time t is {@code as_of} or the database's now.
 */
final class PostgresGraphStore implements GraphStore {
    private static final String NODE_COLUMNS = "n.id, n.labels, n.props::text, n.created_at";
    /** The far node's columns beside the edge's, named apart from them. */
    private static final String FAR_NODE_COLUMNS =
            "n.id AS node_id, n.labels AS node_labels, n.props::text AS node_props, n.created_at AS node_created";
    private static final String EDGE_COLUMNS =
            "e.id, e.type, e.from_id, e.to_id, e.props::text, e.created_at, e.valid_from, e.valid_to";
    private static final String UPSERT_NODE = """
            INSERT INTO graph_nodes (namespace, id, labels, props) VALUES (?, ?, ?, ?::jsonb)
            ON CONFLICT (namespace, id) DO UPDATE SET labels = EXCLUDED.labels, props = EXCLUDED.props""";
    private static final String UPSERT_EDGE = """
            INSERT INTO graph_edges (namespace, id, type, from_id, to_id, props, valid_from, valid_to)
            VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?)
            ON CONFLICT (namespace, id) DO UPDATE SET type = EXCLUDED.type, from_id = EXCLUDED.from_id,
                to_id = EXCLUDED.to_id, props = EXCLUDED.props, valid_from = EXCLUDED.valid_from,
                valid_to = EXCLUDED.valid_to""";
    private static final String INCIDENT = "namespace = ? AND (from_id = ? OR to_id = ?)";

    private final DeadlinePool dataSource;

    PostgresGraphStore(DeadlinePool dataSource) {
        this.dataSource = dataSource;
    }

    /** A write in one transaction; a read in one read-only REPEATABLE READ snapshot (joining Recall's, if open). */
    private <T> T transaction(String op, boolean readOnly, Transactions.Work<T> work) {
        if (readOnly) {
            return dataSource.snapshot("graph." + op, () -> {
                try (Connection c = dataSource.getConnection()) {
                    return work.run(c);
                } catch (SQLException e) {
                    throw PostgresErrors.failure("graph." + op, e);
                }
            });
        }
        try (Connection c = dataSource.getConnection()) {
            return Transactions.in(c, work);
        } catch (SQLException e) {
            throw PostgresErrors.failure("graph." + op, e);
        }
    }

    /** The batch with a later duplicate id winning, in id order. */
    private static <T> List<T> byId(List<T> items, Function<T, String> id) {
        var last = new TreeMap<String, T>(Comparator.comparing(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Arrays::compareUnsigned));
        items.forEach(i -> last.put(id.apply(i), i));
        return List.copyOf(last.values());
    }

    @Override
    public void upsertNodes(String namespace, List<GraphNode> nodes) {
        transaction("upsert", false, c -> {
            try (var st = c.prepareStatement(UPSERT_NODE)) {
                for (GraphNode n : byId(nodes, GraphNode::id)) {
                    st.setString(1, namespace);
                    st.setString(2, n.id());
                    st.setArray(3, c.createArrayOf("text", n.labels().toArray()));
                    st.setString(4, Json.write(n.props()));
                    st.addBatch();
                }
                st.executeBatch();
            }
            return null;
        });
    }

    @Override
    public void upsertEdges(String namespace, List<GraphEdge> edges) {
        transaction("upsert", false, c -> {
            try (var st = c.prepareStatement(UPSERT_EDGE)) {
                for (GraphEdge e : byId(edges, GraphEdge::id)) {
                    st.setString(1, namespace);
                    st.setString(2, e.id());
                    st.setString(3, e.type());
                    st.setString(4, e.from());
                    st.setString(5, e.to());
                    st.setString(6, Json.write(e.props()));
                    st.setObject(7, e.validFrom().map(PostgresGraphStore::timestamp).orElse(null));
                    st.setObject(8, e.validTo().map(PostgresGraphStore::timestamp).orElse(null));
                    st.addBatch();
                }
                st.executeBatch();
            }
            return null;
        });
    }

    /** The node, and the time t of this read (as_of, or the transaction's now()). */
    private record Anchor(GraphNode node, Instant t) {
    }

    private static Optional<Anchor> anchor(Connection c, String namespace, String id, Optional<Instant> asOf)
            throws SQLException {
        try (var st = c.prepareStatement("SELECT " + NODE_COLUMNS + ", now() FROM graph_nodes n"
                + " WHERE n.namespace = ? AND n.id = ?")) {
            st.setString(1, namespace);
            st.setString(2, id);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Anchor(node(rs, 1), asOf.orElse(instant(rs, 5))));
            }
        }
    }

    @Override
    public Optional<GraphNode> node(String namespace, String id) {
        return transaction("get", false, c -> anchor(c, namespace, id, Optional.empty()).map(Anchor::node));
    }

    @Override
    public Optional<Subgraph> neighbors(String namespace, NeighborQuery query) {
        return transaction("query", true, c -> anchor(c, namespace, query.nodeId(), query.asOf())
                .map(a -> Walk.neighbors(a.node(), query, expander(c, namespace, a.t()))));
    }

    @Override
    public Optional<Subgraph> traverse(String namespace, TraverseQuery query) {
        return transaction("query", true, c -> anchor(c, namespace, query.startId(), query.asOf())
                .map(a -> Walk.traverse(a.node(), query, expander(c, namespace, a.t()))));
    }

    /** The start nodes that exist, in the query's order, then {@link Walk#reach} at as_of or the transaction's now(). */
    @Override
    public Reach reach(String namespace, ReachQuery query) {
        return transaction("query", true, c -> {
            var found = new java.util.HashMap<String, GraphNode>();
            Instant now;
            try (var st = c.prepareStatement("SELECT " + NODE_COLUMNS + ", now() FROM (SELECT now()) AS t"
                    + " LEFT JOIN graph_nodes n ON n.namespace = ? AND n.id = ANY (?)")) {
                st.setString(1, namespace);
                st.setArray(2, c.createArrayOf("text", query.startIds().toArray()));
                try (ResultSet rs = st.executeQuery()) {
                    now = null;
                    while (rs.next()) {
                        now = instant(rs, 5);
                        if (rs.getString(1) != null) {
                            GraphNode n = node(rs, 1);
                            found.put(n.id(), n);
                        }
                    }
                }
            }
            List<GraphNode> starts = query.startIds().stream().map(found::get).filter(java.util.Objects::nonNull).toList();
            return Walk.reach(starts, query, expander(c, namespace, query.asOf().orElse(now)));
        });
    }

    private static Expander expander(Connection c, String namespace, Instant t) {
        return (from, direction, types, perNode) -> {
            try {
                return expand(c, namespace, from, direction, types, perNode, t);
            } catch (SQLException e) {
                throw PostgresErrors.failure("graph.query", e);
            }
        };
    }

    /**
     * One side of a node's edges ({@code self} is the frontier node's column, {@code other} the
     * far end's), joined to the far node, filtered, first {@code perNode} by id.
     */
    private static String side(String self, String other, boolean skipSelfLoops, boolean typed) {
        return "(SELECT " + EDGE_COLUMNS + ", " + FAR_NODE_COLUMNS + " FROM graph_edges e JOIN graph_nodes n ON n.namespace = e.namespace AND n.id = e." + other
                + " WHERE e.namespace = ? AND e." + self + " = f.node"
                + (skipSelfLoops ? " AND e.from_id <> e.to_id" : "")
                + (typed ? " AND e.type = ANY(?)" : "")
                + " AND (e.valid_from IS NULL OR e.valid_from <= ?) AND (e.valid_to IS NULL OR ? < e.valid_to)"
                + " ORDER BY e.id LIMIT ?)";
    }

    private static Map<String, List<Step>> expand(Connection c, String namespace, List<String> from,
                                                  Direction direction, Set<String> types, int perNode, Instant t)
            throws SQLException {
        boolean typed = !types.isEmpty();
        var sides = new ArrayList<String>();
        if (direction.out()) {
            sides.add(side("from_id", "to_id", false, typed));
        }
        if (direction.in()) {
            // With both directions a self-loop is already on the outgoing side.
            sides.add(side("to_id", "from_id", direction.out(), typed));
        }
        String inner = sides.size() == 1 ? sides.get(0)
                : "SELECT * FROM (" + String.join(" UNION ALL ", sides) + ") u ORDER BY u.id LIMIT ?";
        String sql = "SELECT f.node, s.* FROM unnest(?::text[]) WITH ORDINALITY AS f(node, ord)"
                + " CROSS JOIN LATERAL (" + inner + ") s ORDER BY f.ord, s.id";
        try (PreparedStatement st = c.prepareStatement(sql)) {
            int i = 1;
            st.setArray(i++, c.createArrayOf("text", from.toArray()));
            Array typeArray = typed ? c.createArrayOf("text", types.toArray()) : null;
            OffsetDateTime at = timestamp(t);
            for (int s = 0; s < sides.size(); s++) {
                st.setString(i++, namespace);
                if (typed) {
                    st.setArray(i++, typeArray);
                }
                st.setObject(i++, at);
                st.setObject(i++, at);
                st.setInt(i++, perNode);
            }
            if (sides.size() > 1) {
                st.setInt(i, perNode);
            }
            var steps = new LinkedHashMap<String, List<Step>>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    steps.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(new Step(edge(rs, 2), node(rs, 10)));
                }
            }
            return steps;
        }
    }

    @Override
    public boolean deleteNode(String namespace, String id, boolean cascade) {
        return transaction("delete", false, c -> {
            try (var lock = c.prepareStatement("SELECT 1 FROM graph_nodes WHERE namespace = ? AND id = ? FOR UPDATE")) {
                lock.setString(1, namespace);
                lock.setString(2, id);
                try (ResultSet rs = lock.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                }
            }
            if (!cascade) {
                try (var count = c.prepareStatement("SELECT count(*) FROM graph_edges WHERE " + INCIDENT)) {
                    bindIncident(count, namespace, id);
                    try (ResultSet rs = count.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) > 0) {
                            throw GraphStore.edgesRemain(id, rs.getLong(1));
                        }
                    }
                }
            } else {
                try (var edges = c.prepareStatement("DELETE FROM graph_edges WHERE " + INCIDENT)) {
                    bindIncident(edges, namespace, id);
                    edges.executeUpdate();
                }
            }
            try (var node = c.prepareStatement("DELETE FROM graph_nodes WHERE namespace = ? AND id = ?")) {
                node.setString(1, namespace);
                node.setString(2, id);
                node.executeUpdate();
            }
            return true;
        });
    }

    private static void bindIncident(PreparedStatement st, String namespace, String id) throws SQLException {
        st.setString(1, namespace);
        st.setString(2, id);
        st.setString(3, id);
    }

    @Override
    public boolean deleteEdge(String namespace, String id) {
        return transaction("delete", false, c -> {
            try (var st = c.prepareStatement("DELETE FROM graph_edges WHERE namespace = ? AND id = ?")) {
                st.setString(1, namespace);
                st.setString(2, id);
                return st.executeUpdate() > 0;
            }
        });
    }

    @Override
    public OptionalLong size(String namespace) {
        return transaction("count", false, c -> {
            try (var st = c.prepareStatement("SELECT count(*) FROM graph_nodes WHERE namespace = ?")) {
                st.setString(1, namespace);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return OptionalLong.of(rs.getLong(1));
                }
            }
        });
    }

    private static GraphNode node(ResultSet rs, int first) throws SQLException {
        return new GraphNode(rs.getString(first), Arrays.asList((String[]) rs.getArray(first + 1).getArray()),
                Json.read(rs.getString(first + 2)), instant(rs, first + 3));
    }

    private static GraphEdge edge(ResultSet rs, int first) throws SQLException {
        return new GraphEdge(rs.getString(first), rs.getString(first + 1), rs.getString(first + 2),
                rs.getString(first + 3), Json.read(rs.getString(first + 4)), instant(rs, first + 5),
                optionalInstant(rs, first + 6), optionalInstant(rs, first + 7));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    private static Optional<Instant> optionalInstant(ResultSet rs, int column) throws SQLException {
        return Optional.ofNullable(rs.getObject(column, OffsetDateTime.class)).map(OffsetDateTime::toInstant);
    }

    private static OffsetDateTime timestamp(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
