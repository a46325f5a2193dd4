package io.memsidecar.graph.spi;

import io.memsidecar.core.ApiException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The graph driver SPI (spec §6.6). Namespaces are storage names (tenant-qualified when tenant
 * isolation is on). Edges need not point at existing nodes; such edges are skipped when read.
 * Neighbors and Traverse follow {@link Walk} exactly, on one consistent read of the store.
 */
public interface GraphStore {
    /**
     * Creates or replaces each node's labels and props, keeping {@code createdAt} of a node that
     * exists. The batch is atomic; a later duplicate id in it wins.
     */
    void upsertNodes(String namespace, List<GraphNode> nodes);

    /**
     * Creates or replaces each edge's type, ends, props and validity, keeping {@code createdAt}.
     * The batch is atomic; a later duplicate id in it wins.
     */
    void upsertEdges(String namespace, List<GraphEdge> edges);

    Optional<GraphNode> node(String namespace, String id);

    /** {@link Walk#neighbors}; empty when the centre node does not exist. */
    Optional<Subgraph> neighbors(String namespace, NeighborQuery query);

    /** {@link Walk#traverse}; empty when the start node does not exist. */
    Optional<Subgraph> traverse(String namespace, TraverseQuery query);

    /**
     * {@link Walk#reach} from the start nodes that exist (none: an empty reach), on one consistent
     * read of the store.
     */
    Reach reach(String namespace, ReachQuery query);

    /**
     * Deletes the node, and with {@code cascade} every edge from or to it, atomically. False when
     * the node does not exist (its dangling edges stay). FAILED_PRECONDITION when edges remain
     * and {@code cascade} is false; nothing changes then.
     */
    boolean deleteNode(String namespace, String id, boolean cascade);

    /** False when there was no such edge. */
    boolean deleteEdge(String namespace, String id);

    /** The number of nodes in the namespace, when the driver can count it cheaply. */
    OptionalLong size(String namespace);

    static ApiException edgesRemain(String id, long count) {
        return ApiException.failedPrecondition("node " + id + " still has " + count + " edge(s); delete them first or pass cascade");
    }
}
