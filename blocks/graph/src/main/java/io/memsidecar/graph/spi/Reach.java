package io.memsidecar.graph.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link Walk#reach} found: every node reached by id, in the order reached, with its hop
 * count, the start it was first reached from and the edge that reached it (a breadth-first
 * tree); and every edge the walk followed.
 */
public record Reach(Map<String, Reached> nodes, List<GraphEdge> edges) {
    public Reach {
        nodes = Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
        edges = List.copyOf(edges);
    }

    /**
     * A reached node: {@code hops} from its start ({@code start}, an index into the query's
     * existing starts in order), and the edge from its parent (empty for a start).
     */
    public record Reached(GraphNode node, int hops, int start, Optional<GraphEdge> via) {
    }

    /** A tree path from a start: its node ids, and the edges between them (edge i joins node i and i + 1). */
    public record Path(List<String> nodeIds, List<GraphEdge> edges) {
    }

    /** The tree path from the node's start to the node (empty when it was not reached). */
    public Path path(String nodeId) {
        var ids = new ArrayList<String>();
        var via = new ArrayList<GraphEdge>();
        Reached r = nodes.get(nodeId);
        while (r != null) {
            ids.addFirst(r.node().id());
            if (r.via().isEmpty()) {
                break;
            }
            GraphEdge e = r.via().get();
            via.addFirst(e);
            r = nodes.get(e.otherEnd(r.node().id()));
        }
        return new Path(ids, via);
    }
}
