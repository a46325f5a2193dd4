package io.memsidecar.client;

import io.memsidecar.proto.graph.v1.DeleteEdgeRequest;
import io.memsidecar.proto.graph.v1.DeleteNodeRequest;
import io.memsidecar.proto.graph.v1.Direction;
import io.memsidecar.proto.graph.v1.GetNodeRequest;
import io.memsidecar.proto.graph.v1.GraphGrpc;
import io.memsidecar.proto.graph.v1.NeighborsRequest;
import io.memsidecar.proto.graph.v1.TraverseRequest;
import io.memsidecar.proto.graph.v1.UpsertEdgesRequest;
import io.memsidecar.proto.graph.v1.UpsertNodesRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Nodes and edges with validity (spec §2.7); ids are the caller's, upserts idempotent. */
public final class Graph {
    private final MemSidecar client;

    Graph(MemSidecar client) {
        this.client = client;
    }

    public record Node(String id, List<String> labels, Map<String, String> props, Optional<Instant> createdAt) {
        public static Node of(String id, String... labels) {
            return new Node(id, List.of(labels), Map.of(), Optional.empty());
        }

        public Node withProps(Map<String, String> p) {
            return new Node(id, labels, Map.copyOf(p), createdAt);
        }
    }

    /** An edge {@code from -[type]-> to}, counted while {@code validFrom <= t < validTo} (unset: open). */
    public record Edge(String id, String type, String from, String to, Map<String, String> props, Optional<Instant> createdAt,
                       Optional<Instant> validFrom, Optional<Instant> validTo) {
        public static Edge of(String id, String type, String from, String to) {
            return new Edge(id, type, from, to, Map.of(), Optional.empty(), Optional.empty(), Optional.empty());
        }

        public Edge withProps(Map<String, String> p) {
            return new Edge(id, type, from, to, Map.copyOf(p), createdAt, validFrom, validTo);
        }

        public Edge withValidity(Optional<Instant> from, Optional<Instant> to) {
            return new Edge(id, type, this.from, this.to, props, createdAt, from, to);
        }
    }

    public record Subgraph(List<Node> nodes, List<Edge> edges) {
    }

    public enum Way {
        BOTH, OUT, IN;

        Direction proto() {
            return switch (this) {
                case BOTH -> Direction.DIRECTION_BOTH;
                case OUT -> Direction.DIRECTION_OUT;
                case IN -> Direction.DIRECTION_IN;
            };
        }
    }

    /** Which edges a walk follows: {@code Walk.ALL.withTypes("KNOWS").withWay(Way.OUT)}; 0 = the server's default. */
    public record Walk(List<String> edgeTypes, Way way, List<String> nodeLabels, int limit, int depth, int maxNodes,
                       Optional<Instant> asOf) {
        public static final Walk ALL = new Walk(List.of(), Way.BOTH, List.of(), 0, 0, 0, Optional.empty());

        public Walk withTypes(String... types) {
            return new Walk(List.of(types), way, nodeLabels, limit, depth, maxNodes, asOf);
        }

        public Walk withWay(Way w) {
            return new Walk(edgeTypes, w, nodeLabels, limit, depth, maxNodes, asOf);
        }

        /** Neighbors only: neighbours with one of these labels. */
        public Walk withLabels(String... labels) {
            return new Walk(edgeTypes, way, List.of(labels), limit, depth, maxNodes, asOf);
        }

        /** Neighbors: at most this many nodes. */
        public Walk withLimit(int n) {
            return new Walk(edgeTypes, way, nodeLabels, n, depth, maxNodes, asOf);
        }

        /** Traverse: hops and nodes at most. */
        public Walk withDepth(int hops, int nodes) {
            return new Walk(edgeTypes, way, nodeLabels, limit, hops, nodes, asOf);
        }

        public Walk asOf(Instant t) {
            return new Walk(edgeTypes, way, nodeLabels, limit, depth, maxNodes, Optional.of(t));
        }

        Direction direction() {
            return way.proto();
        }
    }

    public List<String> upsertNodes(String namespace, List<Node> nodes) {
        var b = UpsertNodesRequest.newBuilder().setNamespace(namespace);
        nodes.forEach(n -> b.addNodes(io.memsidecar.proto.graph.v1.Node.newBuilder().setId(n.id()).addAllLabels(n.labels())
                .putAllProps(n.props())));
        return Calls.call(() -> client.unary(GraphGrpc::newBlockingStub).upsertNodes(b.build())).getIdsList();
    }

    public List<String> upsertEdges(String namespace, List<Edge> edges) {
        var b = UpsertEdgesRequest.newBuilder().setNamespace(namespace);
        for (Edge e : edges) {
            var pe = io.memsidecar.proto.graph.v1.Edge.newBuilder().setId(e.id()).setType(e.type()).setFrom(e.from()).setTo(e.to())
                    .putAllProps(e.props());
            e.validFrom().ifPresent(t -> pe.setValidFrom(Calls.timestamp(t)));
            e.validTo().ifPresent(t -> pe.setValidTo(Calls.timestamp(t)));
            b.addEdges(pe);
        }
        return Calls.call(() -> client.unary(GraphGrpc::newBlockingStub).upsertEdges(b.build())).getIdsList();
    }

    public Optional<Node> getNode(String namespace, String id) {
        try {
            return Optional.of(node(Calls.call(() -> client.unary(GraphGrpc::newBlockingStub).getNode(GetNodeRequest.newBuilder()
                    .setNamespace(namespace).setId(id).build()))));
        } catch (NotFoundException e) {
            if (e.getMessage().contains("namespace")) {
                throw e; // the namespace, not the node, is missing
            }
            return Optional.empty();
        }
    }

    /** @throws NotFoundException when the node does not exist */
    public Subgraph neighbors(String namespace, String nodeId, Walk walk) {
        var b = NeighborsRequest.newBuilder().setNamespace(namespace).setNodeId(nodeId).addAllEdgeTypes(walk.edgeTypes())
                .setDirection(walk.direction()).addAllNodeLabels(walk.nodeLabels()).setLimit(walk.limit());
        walk.asOf().ifPresent(t -> b.setAsOf(Calls.timestamp(t)));
        var r = Calls.call(() -> client.unary(GraphGrpc::newBlockingStub).neighbors(b.build()));
        return subgraph(r.getNodesList(), r.getEdgesList());
    }

    /** @throws NotFoundException when the start node does not exist */
    public Subgraph traverse(String namespace, String startId, Walk walk) {
        var b = TraverseRequest.newBuilder().setNamespace(namespace).setStartId(startId).addAllEdgeTypes(walk.edgeTypes())
                .setDirection(walk.direction()).setDepth(walk.depth()).setMaxNodes(walk.maxNodes());
        walk.asOf().ifPresent(t -> b.setAsOf(Calls.timestamp(t)));
        var r = Calls.call(() -> client.unary(GraphGrpc::newBlockingStub).traverse(b.build()));
        return subgraph(r.getNodesList(), r.getEdgesList());
    }

    /** @throws PreconditionFailedException when the node has edges and {@code cascade} is false */
    public boolean deleteNode(String namespace, String id, boolean cascade) {
        return Calls.call(() -> client.unary(GraphGrpc::newBlockingStub).deleteNode(DeleteNodeRequest.newBuilder()
                .setNamespace(namespace).setId(id).setCascade(cascade).build())).getExisted();
    }

    public boolean deleteEdge(String namespace, String id) {
        return Calls.call(() -> client.unary(GraphGrpc::newBlockingStub).deleteEdge(DeleteEdgeRequest.newBuilder()
                .setNamespace(namespace).setId(id).build())).getExisted();
    }

    static Subgraph subgraph(List<io.memsidecar.proto.graph.v1.Node> nodes, List<io.memsidecar.proto.graph.v1.Edge> edges) {
        return new Subgraph(nodes.stream().map(Graph::node).toList(), edges.stream().map(Graph::edge).toList());
    }

    static Edge edge(io.memsidecar.proto.graph.v1.Edge e) {
        return new Edge(e.getId(), e.getType(), e.getFrom(), e.getTo(), e.getPropsMap(),
                Calls.optional(e.hasCreatedAt(), e.getCreatedAt()), Calls.optional(e.hasValidFrom(), e.getValidFrom()),
                Calls.optional(e.hasValidTo(), e.getValidTo()));
    }

    private static Node node(io.memsidecar.proto.graph.v1.Node n) {
        return new Node(n.getId(), n.getLabelsList(), n.getPropsMap(), Calls.optional(n.hasCreatedAt(), n.getCreatedAt()));
    }
}
