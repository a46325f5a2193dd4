package io.memsidecar.server.transport;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.RoutingTable;
import io.memsidecar.proto.recall.v1.LaneWeights;
import io.memsidecar.proto.recall.v1.RecallRequest;
import io.memsidecar.recall.RecallService;
import java.util.Locale;
import java.util.Optional;

/**
 * Recall for curl, served by the same filtered route as gRPC:
 * {@code GET /v1/recall/{semantic_ns}?q=TEXT[&graph=GRAPH_NS][&focal=ID…][&k=N][&depth=0..2][&type=T…]
 * [&dir=out|in|both][&filter=key:value…][&as_of=RFC3339][&weight=lane:W…][&mmr=λ][&explain=true]
 * [&subgraph=true]} → the RecallResponse as JSON. {@code lane} is dense, lexical, graph or recency.
 */
public final class RecallCurlRoutes {
    private final CurlCalls calls;

    public RecallCurlRoutes(RoutingTable table, Bodies bodies) {
        this.calls = new CurlCalls(table, RecallService.SERVICE, bodies);
    }

    public void register(HttpRouting.Builder routing) {
        routing.get("/v1/recall/{namespace}", CurlCalls.handler(this::recall));
    }

    private void recall(ServerRequest req, ServerResponse res) {
        var q = req.query();
        var b = RecallRequest.newBuilder().setSemanticNamespace(CurlCalls.param(req, "namespace"))
                .setQueryText(q.first("q").orElse("")).setGraphNamespace(q.first("graph").orElse(""))
                .addAllFocalNodeIds(CurlCalls.list(req, "focal")).setTopK(CurlCalls.unsigned(req, "k"))
                .addAllEdgeTypes(CurlCalls.list(req, "type")).setDirection(GraphCurlRoutes.direction(req))
                .setExplain(flag(req, "explain")).setIncludeSubgraph(flag(req, "subgraph"));
        if (q.first("depth").isPresent()) {
            b.setExpandDepth(CurlCalls.unsigned(req, "depth"));
        }
        number(req, "mmr").ifPresent(b::setMmrLambda);
        SemanticCurlRoutes.pairs(req, "filter", b::putFilter);
        GraphCurlRoutes.asOf(req, b::setAsOf);
        LaneWeights.Builder weights = LaneWeights.newBuilder();
        SemanticCurlRoutes.pairs(req, "weight", (lane, value) -> {
            float w = parse("weight " + lane, value);
            switch (lane.toLowerCase(Locale.ROOT)) {
                case "dense" -> weights.setDense(w);
                case "lexical" -> weights.setLexical(w);
                case "graph" -> weights.setGraph(w);
                case "recency" -> weights.setRecency(w);
                default -> throw ApiException.invalidArgument("weight lane must be dense, lexical, graph or recency");
            }
        });
        CurlCalls.json(res, calls.unary("Recall", req, b.setWeights(weights).build()));
    }

    private static boolean flag(ServerRequest req, String name) {
        return req.query().first(name).map(Boolean::parseBoolean).orElse(false);
    }

    private static Optional<Float> number(ServerRequest req, String name) {
        return req.query().first(name).map(v -> parse(name, v));
    }

    private static float parse(String name, String value) {
        try {
            return Float.parseFloat(value);
        } catch (NumberFormatException e) {
            throw ApiException.invalidArgument(name + " must be a number, got \"" + value + "\"");
        }
    }
}
