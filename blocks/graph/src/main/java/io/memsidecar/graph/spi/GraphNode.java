package io.memsidecar.graph.spi;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A node: caller-chosen id, labels, string properties, and when it was first written. */
public record GraphNode(String id, List<String> labels, Map<String, String> props, Instant createdAt) {
    public GraphNode {
        labels = List.copyOf(labels);
        props = Map.copyOf(props);
    }

    /** A node to write: {@code createdAt} is set by the store on first write and kept after. */
    public static GraphNode of(String id, List<String> labels, Map<String, String> props) {
        return new GraphNode(id, labels, props, Instant.EPOCH);
    }
}
