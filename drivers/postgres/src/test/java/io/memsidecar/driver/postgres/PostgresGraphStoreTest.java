package io.memsidecar.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.graph.GraphStoreConformance;
import io.memsidecar.graph.spi.GraphEdge;
import io.memsidecar.graph.spi.GraphNode;
import io.memsidecar.graph.spi.GraphStore;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresGraphStoreTest extends GraphStoreConformance {
    @RegisterExtension
    static final TestBackend DB = new TestBackend();

    @Override
    protected GraphStore store() {
        return DB.backend().store(GraphStore.class).orElseThrow();
    }

    /** A level of the walk reads a node's edges through the from/to index, not a scan of the table. */
    @Test
    void aLevelOfTheWalkUsesTheEdgeIndexes() throws SQLException {
        var nodes = new ArrayList<GraphNode>();
        var edges = new ArrayList<GraphEdge>();
        for (int i = 0; i < 2000; i++) {
            nodes.add(GraphNode.of("n" + i, List.of(), Map.of()));
            edges.add(GraphEdge.of("e" + i, "r", "n" + i, "n" + (i + 1) % 2000, Map.of(), Optional.empty(), Optional.empty()));
        }
        store().upsertNodes(ns, nodes);
        store().upsertEdges(ns, edges);
        try (var c = DB.backend().dataSourceForTests().getConnection(); var st = c.createStatement()) {
            st.execute("ANALYZE graph_edges");
            st.execute("ANALYZE graph_nodes");
            var plan = new StringBuilder();
            try (var rs = st.executeQuery("EXPLAIN SELECT e.id FROM graph_edges e WHERE e.namespace = '" + ns
                    + "' AND e.from_id = 'n7' ORDER BY e.id LIMIT 1000")) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            assertThat(plan.toString()).contains("graph_edges_from").doesNotContain("Seq Scan");
        }
    }
}
