package io.memsidecar.graph.spi;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A driver's one set-based read that {@link Walk} is built on, bound to one read snapshot and one
 * time t (the request's as_of, or the backend's now).
 */
@FunctionalInterface
public interface Expander {
    /**
     * For each node id of {@code from}: its incident edges in {@code direction} whose type is in
     * {@code types} (empty = any), that are valid at t and whose other end exists, ordered by
     * edge id (UTF-8 byte order), at most {@code perNode} of them, each with the node at its other
     * end. A self-loop appears once. Nodes without such edges may be absent from the map.
     */
    Map<String, List<Step>> expand(List<String> from, Direction direction, Set<String> types, int perNode);
}
