package io.memsidecar.server.transport;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.RoutingTable;
import io.memsidecar.proto.semantic.v1.DeleteRequest;
import io.memsidecar.proto.semantic.v1.DeleteResponse;
import io.memsidecar.proto.semantic.v1.GetRequest;
import io.memsidecar.proto.semantic.v1.GetResponse;
import io.memsidecar.proto.semantic.v1.Record;
import io.memsidecar.proto.semantic.v1.SearchMode;
import io.memsidecar.proto.semantic.v1.SearchRequest;
import io.memsidecar.proto.semantic.v1.UpsertRequest;
import io.memsidecar.semantic.SemanticService;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * Semantic memory for curl, served by the same filtered routes as gRPC:
 * <ul>
 * <li>{@code GET /v1/semantic/{ns}/search?q=TEXT[&k=N][&mode=dense|sparse|hybrid][&filter=key:value]…}
 * → the SearchResponse as JSON;</li>
 * <li>{@code PUT /v1/semantic/{ns}/{id}[?meta=key:value…]} with the content as the body (the
 * server embeds it) → the UpsertResponse;</li>
 * <li>{@code GET /v1/semantic/{ns}/{id}} → the record (404 when not found or not live);</li>
 * <li>{@code DELETE /v1/semantic/{ns}/{id}[?hard=true]} → 204, or 404 when nothing was live.</li>
 * </ul>
 * An id literally named {@code search} is reachable through the gateway only.
 */
public final class SemanticCurlRoutes {
    private static final String PREFIX = "/v1/semantic/{namespace}";
    private final CurlCalls calls;

    public SemanticCurlRoutes(RoutingTable table, Bodies bodies) {
        this.calls = new CurlCalls(table, SemanticService.SERVICE, bodies);
    }

    public void register(HttpRouting.Builder routing) {
        routing.get(PREFIX + "/search", CurlCalls.handler(this::search))
                .put(PREFIX + "/{id}", CurlCalls.handler(this::put))
                .get(PREFIX + "/{id}", CurlCalls.handler(this::get))
                .delete(PREFIX + "/{id}", CurlCalls.handler(this::delete));
    }

    private static String namespace(ServerRequest req) {
        return CurlCalls.param(req, "namespace");
    }

    private static String id(ServerRequest req) {
        return CurlCalls.param(req, "id");
    }

    /** {@code key:value} pairs of a repeated query parameter. */
    static void pairs(ServerRequest req, String name, BiConsumer<String, String> into) {
        for (String pair : req.query().all(name, java.util.List::of)) {
            int colon = pair.indexOf(':');
            if (colon <= 0) {
                throw ApiException.invalidArgument(name + " must be key:value, got \"" + pair + "\"");
            }
            into.accept(pair.substring(0, colon), pair.substring(colon + 1));
        }
    }

    private void search(ServerRequest req, ServerResponse res) {
        var q = req.query();
        var search = SearchRequest.newBuilder().setNamespace(namespace(req)).setQueryText(q.first("q").orElse(""));
        search.setTopK(CurlCalls.unsigned(req, "k"));
        String mode = q.first("mode").orElse("dense").toUpperCase(Locale.ROOT);
        try {
            search.setMode(SearchMode.valueOf("SEARCH_MODE_" + mode));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidArgument("mode must be dense, sparse or hybrid");
        }
        pairs(req, "filter", search::putFilter);
        CurlCalls.json(res, calls.unary("Search", req, search.build()));
    }

    private void put(ServerRequest req, ServerResponse res) {
        var record = Record.newBuilder().setId(id(req))
                .setContent(new String(calls.body(req), StandardCharsets.UTF_8));
        pairs(req, "meta", record::putMetadata);
        CurlCalls.json(res, calls.unary("Upsert", req, UpsertRequest.newBuilder().setNamespace(namespace(req)).addRecords(record).build()));
    }

    private void get(ServerRequest req, ServerResponse res) {
        GetResponse r = calls.unary("Get", req, GetRequest.newBuilder().setNamespace(namespace(req)).setId(id(req)).build());
        if (!r.getFound()) {
            throw ApiException.notFound("record not found");
        }
        CurlCalls.json(res, r.getRecord());
    }

    private void delete(ServerRequest req, ServerResponse res) {
        DeleteResponse r = calls.unary("Delete", req, DeleteRequest.newBuilder().setNamespace(namespace(req)).setId(id(req))
                .setHard(req.query().first("hard").map(Boolean::parseBoolean).orElse(false)).build());
        CurlCalls.noContentOrNotFound(res, r.getExisted(), "record");
    }
}
