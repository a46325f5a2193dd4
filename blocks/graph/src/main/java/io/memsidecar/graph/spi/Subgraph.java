package io.memsidecar.graph.spi;

import java.util.List;

/** Nodes and edges of a read, in the order the walk reached them. */
public record Subgraph(List<GraphNode> nodes, List<GraphEdge> edges) {
    public Subgraph {
        nodes = List.copyOf(nodes);
        edges = List.copyOf(edges);
    }
}
