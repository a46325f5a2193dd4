package io.memsidecar.graph.spi;

/** One incident edge of a node and the existing node at its other end. */
public record Step(GraphEdge edge, GraphNode node) {
}
