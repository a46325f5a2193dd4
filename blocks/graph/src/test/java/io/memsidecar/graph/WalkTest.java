package io.memsidecar.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.graph.spi.Direction;
import io.memsidecar.graph.spi.Expander;
import io.memsidecar.graph.spi.GraphEdge;
import io.memsidecar.graph.spi.GraphNode;
import io.memsidecar.graph.spi.Step;
import io.memsidecar.graph.spi.TraverseQuery;
import io.memsidecar.graph.spi.Walk;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A walk asks its driver once per level, for the whole frontier: never once per visited node. */
class WalkTest {
    private static GraphNode node(String id) {
        return GraphNode.of(id, List.of(), Map.of());
    }

    /** A ring of {@code size} nodes plus a spoke from every ring node to a leaf; counts the driver's reads. */
    private static final class CountingGraph implements Expander {
        final Map<String, List<Step>> out = new HashMap<>();
        final List<Integer> frontierSizes = new ArrayList<>();

        CountingGraph(int size) {
            for (int i = 0; i < size; i++) {
                String from = "r" + i;
                out.put(from, List.of(
                        new Step(GraphEdge.of("a" + i, "r", from, "leaf" + i, Map.of(), Optional.empty(), Optional.empty()),
                                node("leaf" + i)),
                        new Step(GraphEdge.of("b" + i, "r", from, "r" + (i + 1) % size, Map.of(), Optional.empty(),
                                Optional.empty()), node("r" + (i + 1) % size))));
            }
        }

        @Override
        public Map<String, List<Step>> expand(List<String> from, Direction direction, Set<String> types, int perNode) {
            frontierSizes.add(from.size());
            var result = new HashMap<String, List<Step>>();
            from.forEach(id -> result.put(id, out.getOrDefault(id, List.of())));
            return result;
        }
    }

    private static TraverseQuery query(int depth) {
        return new TraverseQuery("r0", Set.of(), Direction.OUT, depth, 10_000, 20_000, 1000, Optional.empty());
    }

    @Test
    void oneReadPerLevelForTheWholeFrontier() {
        var graph = new CountingGraph(100);
        var result = Walk.traverse(node("r0"), query(5), graph);
        assertThat(graph.frontierSizes).containsExactly(1, 2, 2, 2, 2);
        assertThat(result.nodes()).hasSize(11);
    }

    @Test
    void aWalkThatRunsOutOfNewNodesStopsReading() {
        var graph = new CountingGraph(2);
        Walk.traverse(node("r0"), query(5), graph);
        // level 1 reaches leaf0 and r1; level 2 reaches leaf1 (r0 is visited); level 3 has only leaves
        assertThat(graph.frontierSizes).containsExactly(1, 2, 1);
    }
}
