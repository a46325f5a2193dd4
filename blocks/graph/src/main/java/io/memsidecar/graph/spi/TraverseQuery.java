package io.memsidecar.graph.spi;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A breadth-first walk from {@code startId} over edges of {@code edgeTypes} (empty = any) in
 * {@code direction}, valid at {@code asOf} (absent = the backend's now), at most {@code depth}
 * hops, {@code maxNodes} nodes (the start included), {@code maxEdges} edges, and
 * {@code fanOut} edges followed per node.
 */
public record TraverseQuery(String startId, Set<String> edgeTypes, Direction direction, int depth, int maxNodes,
                            int maxEdges, int fanOut, Optional<Instant> asOf) {
    public TraverseQuery {
        edgeTypes = Set.copyOf(edgeTypes);
    }
}
