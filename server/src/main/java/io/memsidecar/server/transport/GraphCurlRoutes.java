package io.memsidecar.server.transport;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.ProtoTime;
import io.memsidecar.core.RoutingTable;
import io.memsidecar.graph.GraphService;
import io.memsidecar.proto.graph.v1.DeleteEdgeRequest;
import io.memsidecar.proto.graph.v1.DeleteEdgeResponse;
import io.memsidecar.proto.graph.v1.DeleteNodeRequest;
import io.memsidecar.proto.graph.v1.DeleteNodeResponse;
import io.memsidecar.proto.graph.v1.Direction;
import io.memsidecar.proto.graph.v1.Edge;
import io.memsidecar.proto.graph.v1.GetNodeRequest;
import io.memsidecar.proto.graph.v1.NeighborsRequest;
import io.memsidecar.proto.graph.v1.Node;
import io.memsidecar.proto.graph.v1.TraverseRequest;
import io.memsidecar.proto.graph.v1.UpsertEdgesRequest;
import io.memsidecar.proto.graph.v1.UpsertNodesRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The graph for curl, served by the same filtered routes as gRPC; JSON in and out:
 * <ul>
 * <li>{@code GET|PUT|DELETE /v1/graph/{ns}/nodes/{id}} — read a node; upsert it from an optional
 * {@code {"labels":[…],"props":{…}}} body; delete it ({@code ?cascade=true} also deletes its
 * edges; without it, 400 FAILED_PRECONDITION while edges remain);</li>
 * <li>{@code GET /v1/graph/{ns}/nodes/{id}/neighbors?type=a,b&dir=out|in|both&label=L&limit=N&as_of=RFC3339};</li>
 * <li>{@code GET /v1/graph/{ns}/nodes/{id}/traverse?depth=N&max_nodes=N&type=…&dir=…&as_of=…};</li>
 * <li>{@code PUT|DELETE /v1/graph/{ns}/edges/{id}} — upsert from
 * {@code {"type","from","to","props","validFrom","validTo"}}, or delete.</li>
 * </ul>
 * A DELETE of something that does not exist is 404; a successful one 204.
 */
public final class GraphCurlRoutes {
    private static final String NODE = "/v1/graph/{namespace}/nodes/{id}";
    private static final String EDGE = "/v1/graph/{namespace}/edges/{id}";
    private final CurlCalls calls;

    public GraphCurlRoutes(RoutingTable table, Bodies bodies) {
        this.calls = new CurlCalls(table, GraphService.SERVICE, bodies);
    }

    public void register(HttpRouting.Builder routing) {
        routing.get(NODE + "/neighbors", CurlCalls.handler(this::neighbors))
                .get(NODE + "/traverse", CurlCalls.handler(this::traverse))
                .get(NODE, CurlCalls.handler(this::getNode))
                .put(NODE, CurlCalls.handler(this::putNode))
                .delete(NODE, CurlCalls.handler(this::deleteNode))
                .put(EDGE, CurlCalls.handler(this::putEdge))
                .delete(EDGE, CurlCalls.handler(this::deleteEdge));
    }

    private static String namespace(ServerRequest req) {
        return CurlCalls.param(req, "namespace");
    }

    private static String id(ServerRequest req) {
        return CurlCalls.param(req, "id");
    }

    static Direction direction(ServerRequest req) {
        String dir = req.query().first("dir").orElse("both").toUpperCase(Locale.ROOT);
        return switch (dir) {
            case "OUT" -> Direction.DIRECTION_OUT;
            case "IN" -> Direction.DIRECTION_IN;
            case "BOTH" -> Direction.DIRECTION_BOTH;
            default -> throw ApiException.invalidArgument("dir must be out, in or both");
        };
    }

    static void asOf(ServerRequest req, java.util.function.Consumer<com.google.protobuf.Timestamp> into) {
        req.query().first("as_of").ifPresent(value -> {
            try {
                into.accept(ProtoTime.timestamp(Instant.parse(value)));
            } catch (DateTimeParseException e) {
                throw ApiException.invalidArgument("as_of must be an RFC 3339 time such as 2026-01-31T12:00:00Z");
            }
        });
    }

    private void getNode(ServerRequest req, ServerResponse res) {
        CurlCalls.json(res, calls.unary("GetNode", req,
                GetNodeRequest.newBuilder().setNamespace(namespace(req)).setId(id(req)).build()));
    }

    private void putNode(ServerRequest req, ServerResponse res) {
        Node node = HttpGateway.parse(Node.getDefaultInstance(), calls.body(req)).toBuilder().setId(id(req)).build();
        CurlCalls.json(res, calls.unary("UpsertNodes", req,
                UpsertNodesRequest.newBuilder().setNamespace(namespace(req)).addNodes(node).build()));
    }

    private void putEdge(ServerRequest req, ServerResponse res) {
        Edge edge = HttpGateway.parse(Edge.getDefaultInstance(), calls.body(req)).toBuilder().setId(id(req)).build();
        CurlCalls.json(res, calls.unary("UpsertEdges", req,
                UpsertEdgesRequest.newBuilder().setNamespace(namespace(req)).addEdges(edge).build()));
    }

    private void neighbors(ServerRequest req, ServerResponse res) {
        var b = NeighborsRequest.newBuilder().setNamespace(namespace(req)).setNodeId(id(req))
                .addAllEdgeTypes(CurlCalls.list(req, "type")).setDirection(direction(req))
                .addAllNodeLabels(CurlCalls.list(req, "label")).setLimit(CurlCalls.unsigned(req, "limit"));
        asOf(req, b::setAsOf);
        CurlCalls.json(res, calls.unary("Neighbors", req, b.build()));
    }

    private void traverse(ServerRequest req, ServerResponse res) {
        var b = TraverseRequest.newBuilder().setNamespace(namespace(req)).setStartId(id(req))
                .addAllEdgeTypes(CurlCalls.list(req, "type")).setDirection(direction(req))
                .setDepth(CurlCalls.unsigned(req, "depth")).setMaxNodes(CurlCalls.unsigned(req, "max_nodes"));
        asOf(req, b::setAsOf);
        CurlCalls.json(res, calls.unary("Traverse", req, b.build()));
    }

    private void deleteNode(ServerRequest req, ServerResponse res) {
        DeleteNodeResponse r = calls.unary("DeleteNode", req, DeleteNodeRequest.newBuilder().setNamespace(namespace(req))
                .setId(id(req)).setCascade(req.query().first("cascade").map(Boolean::parseBoolean).orElse(false)).build());
        CurlCalls.noContentOrNotFound(res, r.getExisted(), "node");
    }

    private void deleteEdge(ServerRequest req, ServerResponse res) {
        DeleteEdgeResponse r = calls.unary("DeleteEdge", req,
                DeleteEdgeRequest.newBuilder().setNamespace(namespace(req)).setId(id(req)).build());
        CurlCalls.noContentOrNotFound(res, r.getExisted(), "edge");
    }
}
