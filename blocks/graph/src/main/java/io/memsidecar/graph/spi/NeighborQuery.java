package io.memsidecar.graph.spi;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Neighbors of {@code nodeId}: edges of {@code edgeTypes} (empty = any) in {@code direction},
 * valid at {@code asOf} (absent = the backend's now), to nodes with any of {@code nodeLabels}
 * (empty = any); at most {@code limit} nodes, and at most {@code scan} incident edges examined.
 */
public record NeighborQuery(String nodeId, Set<String> edgeTypes, Direction direction, Set<String> nodeLabels,
                            int limit, int scan, Optional<Instant> asOf) {
    public NeighborQuery {
        edgeTypes = Set.copyOf(edgeTypes);
        nodeLabels = Set.copyOf(nodeLabels);
    }
}
