package io.memsidecar.server.transport;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Route;
import io.memsidecar.core.RoutingTable;
import io.memsidecar.episodic.EpisodicService;
import io.memsidecar.proto.episodic.v1.Event;
import io.memsidecar.proto.episodic.v1.TailRequest;
import java.util.Optional;

/**
 * {@code GET /v1/episodic/{ns}/tail[?after=N]}: events as NDJSON, live, until the client hangs
 * up ({@code curl -N}). Without {@code after} the stream starts at the live edge; with it, the
 * events after cursor N are replayed first. Served by the same filtered Tail route as gRPC.
 */
public final class EpisodicCurlRoutes {
    private final RoutingTable table;

    public EpisodicCurlRoutes(RoutingTable table) {
        this.table = table;
    }

    public void register(HttpRouting.Builder routing) {
        routing.get("/v1/episodic/{namespace}/tail", this::tail);
    }

    @SuppressWarnings("unchecked")
    private void tail(ServerRequest req, ServerResponse res) {
        var route = (Route<TailRequest, Event>) table.route(EpisodicService.SERVICE + "/Tail").orElseThrow();
        var tail = TailRequest.newBuilder().setNamespace(req.path().pathParameters().get("namespace"));
        Optional<String> after = req.query().first("after").asOptional();
        try {
            if (after.isPresent()) {
                tail.setIncludeHistorical(true).setAfterCursor(Long.parseUnsignedLong(after.get()));
            }
        } catch (NumberFormatException e) {
            HttpGateway.error(res, ApiException.invalidArgument("after must be a cursor (a non-negative integer)"));
            return;
        }
        HttpGateway.stream(route, req, "curl", tail.build(), res, "application/x-ndjson", HttpGateway::json);
    }
}
