package io.memsidecar.graph.spi;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A breadth-first walk from every node of {@code startIds} at once (those that exist, in that
 * order), over edges of {@code edgeTypes} (empty = any) in {@code direction}, valid at
 * {@code asOf} (absent = the backend's now): at most {@code depth} hops, {@code maxNodes} nodes
 * (the starts included), {@code maxEdges} edges, and {@code fanOut} edges followed per node.
 */
public record ReachQuery(List<String> startIds, Set<String> edgeTypes, Direction direction, int depth, int maxNodes,
                         int maxEdges, int fanOut, Optional<Instant> asOf) {
    public ReachQuery {
        startIds = List.copyOf(new java.util.LinkedHashSet<>(startIds));
        edgeTypes = Set.copyOf(edgeTypes);
    }
}
