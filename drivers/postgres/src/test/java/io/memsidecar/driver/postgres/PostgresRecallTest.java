package io.memsidecar.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.graph.spi.Direction;
import io.memsidecar.graph.spi.GraphEdge;
import io.memsidecar.graph.spi.GraphNode;
import io.memsidecar.graph.spi.GraphStore;
import io.memsidecar.graph.spi.ReachQuery;
import io.memsidecar.recall.RecallConformance;
import io.memsidecar.semantic.spi.IndexSpec;
import io.memsidecar.semantic.spi.SemanticQuery;
import io.memsidecar.semantic.spi.SemanticStore;
import io.memsidecar.semantic.spi.SemanticWrite;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresRecallTest extends RecallConformance {
    @RegisterExtension
    static final TestBackend DB = new TestBackend();

    @Override
    protected SemanticStore semanticStore() {
        return DB.backend().store(SemanticStore.class).orElseThrow();
    }

    @Override
    protected GraphStore graphStore() {
        return DB.backend().store(GraphStore.class).orElseThrow();
    }

    /**
     * Recall's lanes read in one REPEATABLE READ transaction: an edge and a record committed by
     * another connection after the snapshot's first read are seen by neither the graph nor the
     * semantic store inside it, and by both after it.
     */
    @Test
    void theSemanticAndGraphStoresOfOneBackendReadOneSnapshot() {
        String ns = "snap-" + UUID.randomUUID();
        var index = semanticStore().open(IndexSpec.of("recall_conformance", 8));
        var graph = graphStore();
        graph.upsertNodes(ns, List.of(GraphNode.of("a", List.of(), Map.of()), GraphNode.of("b", List.of(), Map.of())));
        var walk = new ReachQuery(List.of("a"), Set.of(), Direction.BOTH, 1, 10, 100, 100, Optional.empty());
        float[] v = new float[8];
        v[0] = 1;
        SemanticQuery narrowing = SemanticQuery.sparse("", 10);
        record Seen(Set<String> reached, int records) {
        }
        Seen inside = index.snapshot(() -> {
            assertThat(graph.reach(ns, walk).nodes()).containsOnlyKeys("a");
            CompletableFuture.runAsync(() -> {
                graph.upsertEdges(ns, List.of(GraphEdge.of("e", "t", "a", "b", Map.of(), Optional.empty(), Optional.empty())));
                index.upsert(ns, List.of(SemanticWrite.of("b", "b", v, Map.of())));
            }).join();
            return new Seen(graph.reach(ns, walk).nodes().keySet(), index.records(ns, List.of("b"), narrowing).size());
        });
        assertThat(inside).isEqualTo(new Seen(Set.of("a"), 0));
        assertThat(graph.reach(ns, walk).nodes()).containsOnlyKeys("a", "b");
        assertThat(index.records(ns, List.of("b"), narrowing)).hasSize(1);
    }
}
