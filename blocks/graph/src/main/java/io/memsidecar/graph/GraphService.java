package io.memsidecar.graph;

import com.google.protobuf.Timestamp;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Call;
import io.memsidecar.core.Limits;
import io.memsidecar.core.NamespaceTable;
import io.memsidecar.core.Op;
import io.memsidecar.core.ProtoTime;
import io.memsidecar.core.Require;
import io.memsidecar.core.Route;
import io.memsidecar.core.Scope;
import io.memsidecar.graph.spi.Direction;
import io.memsidecar.graph.spi.GraphEdge;
import io.memsidecar.graph.spi.GraphNode;
import io.memsidecar.graph.spi.NeighborQuery;
import io.memsidecar.graph.spi.Subgraph;
import io.memsidecar.graph.spi.TraverseQuery;
import io.memsidecar.proto.graph.v1.DeleteEdgeRequest;
import io.memsidecar.proto.graph.v1.DeleteEdgeResponse;
import io.memsidecar.proto.graph.v1.DeleteNodeRequest;
import io.memsidecar.proto.graph.v1.DeleteNodeResponse;
import io.memsidecar.proto.graph.v1.Edge;
import io.memsidecar.proto.graph.v1.GetNodeRequest;
import io.memsidecar.proto.graph.v1.NeighborsRequest;
import io.memsidecar.proto.graph.v1.NeighborsResponse;
import io.memsidecar.proto.graph.v1.Node;
import io.memsidecar.proto.graph.v1.TraverseRequest;
import io.memsidecar.proto.graph.v1.UpsertEdgesRequest;
import io.memsidecar.proto.graph.v1.UpsertEdgesResponse;
import io.memsidecar.proto.graph.v1.UpsertNodesRequest;
import io.memsidecar.proto.graph.v1.UpsertNodesResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The graph block (spec §2.7): idempotent node and edge upserts with caller-chosen ids, one-hop
 * Neighbors and a bounded breadth-first Traverse with edge validity, deletes with the cascade
 * rule. Over-large bounds are clamped to the spec's maxima; policy caps see the requested ones.
 */
public final class GraphService {
    public static final String SERVICE = "memsidecar.graph.v1.Graph";
    public static final String BLOCK = "graph";
    public static final Op UPSERT = Op.write(BLOCK, "upsert");
    public static final Op GET = Op.read(BLOCK, "get");
    public static final Op QUERY = Op.read(BLOCK, "query");
    public static final Op DELETE = Op.write(BLOCK, "delete");

    /** Spec §2.7's server bounds: default for 0, silent clamp above the max. */
    static final int NEIGHBORS_LIMIT = 50;
    static final int NEIGHBORS_LIMIT_MAX = 1000;
    static final int DEPTH = 1;
    static final int DEPTH_MAX = 5;
    static final int MAX_NODES = 1000;
    static final int MAX_NODES_MAX = 10_000;
    /** Fixed: edges a Traverse returns, and edges followed per node. */
    public static final int MAX_EDGES = 20_000;
    public static final int FAN_OUT = 1000;
    /** Neighbors examines at most this many incident edges of its centre (the same fixed bound). */
    static final int NEIGHBORS_SCAN = MAX_EDGES;

    private static final int MAX_ID_BYTES = 1024;
    private static final int MAX_LABELS = 64;
    private static final int MAX_PROPS = 256;

    private final NamespaceTable<GraphNamespace> namespaces;
    private final Limits limits;

    public GraphService(Map<String, GraphNamespace> namespaces, boolean tenantIsolation, Limits limits) {
        this.namespaces = new NamespaceTable<>(BLOCK, namespaces, tenantIsolation);
        this.limits = limits;
    }

    public List<Route<?, ?>> routes() {
        return List.of(
                Route.unary(SERVICE, "UpsertNodes", UpsertNodesRequest.getDefaultInstance(),
                        UpsertNodesResponse.getDefaultInstance(), UPSERT, r -> Scope.of(BLOCK, r.getNamespace()),
                        this::upsertNodes),
                Route.unary(SERVICE, "UpsertEdges", UpsertEdgesRequest.getDefaultInstance(),
                        UpsertEdgesResponse.getDefaultInstance(), UPSERT, r -> Scope.of(BLOCK, r.getNamespace()),
                        this::upsertEdges),
                Route.unary(SERVICE, "GetNode", GetNodeRequest.getDefaultInstance(), Node.getDefaultInstance(),
                        GET, r -> Scope.of(BLOCK, r.getNamespace()), this::getNode),
                Route.unary(SERVICE, "Neighbors", NeighborsRequest.getDefaultInstance(),
                        NeighborsResponse.getDefaultInstance(), QUERY,
                        r -> Scope.of(BLOCK, r.getNamespace()).withSize("limit", orDefault(r.getLimit(), NEIGHBORS_LIMIT)),
                        this::neighbors),
                Route.unary(SERVICE, "Traverse", TraverseRequest.getDefaultInstance(),
                        io.memsidecar.proto.graph.v1.Subgraph.getDefaultInstance(), QUERY,
                        r -> Scope.of(BLOCK, r.getNamespace()).withSize("depth", orDefault(r.getDepth(), DEPTH))
                                .withSize("fan_out", FAN_OUT),
                        this::traverse),
                Route.unary(SERVICE, "DeleteNode", DeleteNodeRequest.getDefaultInstance(),
                        DeleteNodeResponse.getDefaultInstance(), DELETE, r -> Scope.of(BLOCK, r.getNamespace()),
                        this::deleteNode),
                Route.unary(SERVICE, "DeleteEdge", DeleteEdgeRequest.getDefaultInstance(),
                        DeleteEdgeResponse.getDefaultInstance(), DELETE, r -> Scope.of(BLOCK, r.getNamespace()),
                        this::deleteEdge));
    }

    public UpsertNodesResponse upsertNodes(Call call, UpsertNodesRequest request) {
        var t = namespaces.resolve(call, UPSERT, request.getNamespace());
        limits.checkBatch(request.getNodesCount(), "nodes");
        var nodes = new ArrayList<GraphNode>(request.getNodesCount());
        for (int i = 0; i < request.getNodesCount(); i++) {
            Node n = request.getNodes(i);
            String at = "nodes[" + i + "]";
            var labels = n.getLabelsList();
            if (labels.size() > MAX_LABELS) {
                throw ApiException.invalidArgument(at + ".labels has more than " + MAX_LABELS + " entries");
            }
            labels.forEach(l -> Require.identifier(l, at + ".labels", MAX_ID_BYTES));
            nodes.add(GraphNode.of(id(n.getId(), at + ".id"), labels,
                    limits.metadata(n.getPropsMap(), at + ".props", MAX_PROPS)));
        }
        t.namespace().store().upsertNodes(t.storage(), nodes);
        return UpsertNodesResponse.newBuilder().addAllIds(nodes.stream().map(GraphNode::id).toList()).build();
    }

    public UpsertEdgesResponse upsertEdges(Call call, UpsertEdgesRequest request) {
        var t = namespaces.resolve(call, UPSERT, request.getNamespace());
        limits.checkBatch(request.getEdgesCount(), "edges");
        var edges = new ArrayList<GraphEdge>(request.getEdgesCount());
        for (int i = 0; i < request.getEdgesCount(); i++) {
            Edge e = request.getEdges(i);
            String at = "edges[" + i + "]";
            Optional<Instant> from = e.hasValidFrom() ? Optional.of(instant(e.getValidFrom())) : Optional.empty();
            Optional<Instant> to = e.hasValidTo() ? Optional.of(instant(e.getValidTo())) : Optional.empty();
            if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
                throw ApiException.invalidArgument(at + ".valid_to must be after valid_from");
            }
            edges.add(GraphEdge.of(id(e.getId(), at + ".id"), id(e.getType(), at + ".type"),
                    id(e.getFrom(), at + ".from"), id(e.getTo(), at + ".to"),
                    limits.metadata(e.getPropsMap(), at + ".props", MAX_PROPS), from, to));
        }
        t.namespace().store().upsertEdges(t.storage(), edges);
        return UpsertEdgesResponse.newBuilder().addAllIds(edges.stream().map(GraphEdge::id).toList()).build();
    }

    public Node getNode(Call call, GetNodeRequest request) {
        var t = namespaces.resolve(call, GET, request.getNamespace());
        String id = id(request.getId(), "id");
        return node(t.namespace().store().node(t.storage(), id).orElseThrow(() -> missing(id)));
    }

    public NeighborsResponse neighbors(Call call, NeighborsRequest request) {
        var t = namespaces.resolve(call, QUERY, request.getNamespace());
        String id = id(request.getNodeId(), "node_id");
        var query = new NeighborQuery(id, types(request.getEdgeTypesList()), direction(request.getDirection()),
                Set.copyOf(request.getNodeLabelsList()), bound(request.getLimit(), NEIGHBORS_LIMIT, NEIGHBORS_LIMIT_MAX),
                NEIGHBORS_SCAN, asOf(request.hasAsOf(), request.getAsOf()));
        Subgraph g = t.namespace().store().neighbors(t.storage(), query).orElseThrow(() -> missing(id));
        return NeighborsResponse.newBuilder().addAllNodes(g.nodes().stream().map(GraphService::node).toList())
                .addAllEdges(g.edges().stream().map(GraphService::edge).toList()).build();
    }

    public io.memsidecar.proto.graph.v1.Subgraph traverse(Call call, TraverseRequest request) {
        var t = namespaces.resolve(call, QUERY, request.getNamespace());
        String id = id(request.getStartId(), "start_id");
        var query = new TraverseQuery(id, types(request.getEdgeTypesList()), direction(request.getDirection()),
                bound(request.getDepth(), DEPTH, DEPTH_MAX), bound(request.getMaxNodes(), MAX_NODES, MAX_NODES_MAX),
                MAX_EDGES, FAN_OUT, asOf(request.hasAsOf(), request.getAsOf()));
        Subgraph g = t.namespace().store().traverse(t.storage(), query).orElseThrow(() -> missing(id));
        return io.memsidecar.proto.graph.v1.Subgraph.newBuilder()
                .addAllNodes(g.nodes().stream().map(GraphService::node).toList())
                .addAllEdges(g.edges().stream().map(GraphService::edge).toList()).build();
    }

    public DeleteNodeResponse deleteNode(Call call, DeleteNodeRequest request) {
        var t = namespaces.resolve(call, DELETE, request.getNamespace());
        boolean existed = t.namespace().store().deleteNode(t.storage(), id(request.getId(), "id"), request.getCascade());
        return DeleteNodeResponse.newBuilder().setExisted(existed).build();
    }

    public DeleteEdgeResponse deleteEdge(Call call, DeleteEdgeRequest request) {
        var t = namespaces.resolve(call, DELETE, request.getNamespace());
        boolean existed = t.namespace().store().deleteEdge(t.storage(), id(request.getId(), "id"));
        return DeleteEdgeResponse.newBuilder().setExisted(existed).build();
    }

    public static Node node(GraphNode n) {
        return Node.newBuilder().setId(n.id()).addAllLabels(n.labels()).putAllProps(n.props())
                .setCreatedAt(ProtoTime.timestamp(n.createdAt())).build();
    }

    public static Edge edge(GraphEdge e) {
        var b = Edge.newBuilder().setId(e.id()).setType(e.type()).setFrom(e.from()).setTo(e.to())
                .putAllProps(e.props()).setCreatedAt(ProtoTime.timestamp(e.createdAt()));
        e.validFrom().ifPresent(f -> b.setValidFrom(ProtoTime.timestamp(f)));
        e.validTo().ifPresent(f -> b.setValidTo(ProtoTime.timestamp(f)));
        return b.build();
    }

    private static ApiException missing(String id) {
        return ApiException.notFound("node " + id + " not found");
    }

    public static String id(String value, String field) {
        return Require.identifier(value, field, MAX_ID_BYTES);
    }

    public static Set<String> types(List<String> types) {
        types.forEach(t -> Require.identifier(t, "edge_types", MAX_ID_BYTES));
        return Set.copyOf(types);
    }

    public static Direction direction(io.memsidecar.proto.graph.v1.Direction d) {
        return switch (d) {
            case DIRECTION_OUT -> Direction.OUT;
            case DIRECTION_IN -> Direction.IN;
            case DIRECTION_UNSPECIFIED, DIRECTION_BOTH -> Direction.BOTH;
            case UNRECOGNIZED -> throw ApiException.invalidArgument("direction must be OUT, IN or BOTH");
        };
    }

    /** Timestamps are kept to the microsecond on every driver (PostgreSQL's precision). */
    private static Instant instant(Timestamp ts) {
        return ProtoTime.instant(ts).truncatedTo(ChronoUnit.MICROS);
    }

    public static Optional<Instant> asOf(boolean present, Timestamp ts) {
        return present ? Optional.of(instant(ts)) : Optional.empty();
    }

    /** A requested uint32 bound: 0 means the default; anything above the max is the max. */
    private static int bound(int requested, int defaultValue, int max) {
        long value = orDefault(requested, defaultValue);
        return (int) Math.min(value, max);
    }

    /** uint32 arrives as a Java int: read it unsigned, 0 means the default. */
    private static long orDefault(int requested, int defaultValue) {
        return requested == 0 ? defaultValue : Integer.toUnsignedLong(requested);
    }
}
