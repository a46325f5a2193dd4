package io.memsidecar.graph.spi;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A directed, typed edge {@code from -> to}. It counts at time t while
 * {@code validFrom <= t < validTo}; an absent bound is open.
 */
public record GraphEdge(String id, String type, String from, String to, Map<String, String> props,
                        Instant createdAt, Optional<Instant> validFrom, Optional<Instant> validTo) {
    public GraphEdge {
        props = Map.copyOf(props);
    }

    /** An edge to write: {@code createdAt} is set by the store on first write and kept after. */
    public static GraphEdge of(String id, String type, String from, String to, Map<String, String> props,
                               Optional<Instant> validFrom, Optional<Instant> validTo) {
        return new GraphEdge(id, type, from, to, props, Instant.EPOCH, validFrom, validTo);
    }

    public boolean validAt(Instant t) {
        return validFrom.map(f -> !t.isBefore(f)).orElse(true) && validTo.map(t::isBefore).orElse(true);
    }

    /** The end of this edge that is not {@code node} (for a self-loop, the node itself). */
    public String otherEnd(String node) {
        return from.equals(node) ? to : from;
    }
}
