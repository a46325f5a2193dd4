package io.memsidecar.server.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Call;
import io.memsidecar.core.GoDuration;
import io.memsidecar.core.ProtoTime;
import io.memsidecar.core.Route;
import io.memsidecar.core.RoutingTable;
import io.memsidecar.kv.KvService;
import io.memsidecar.proto.kv.v1.DeleteRequest;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.GetResponse;
import io.memsidecar.proto.kv.v1.PutRequest;
import io.memsidecar.proto.kv.v1.PutResponse;
import io.memsidecar.proto.kv.v1.ScanRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Friendly KV routes for curl, served by the same filtered routes as gRPC and the gateway:
 * <ul>
 * <li>{@code GET /v1/kv/{ns}/{key}}: the raw value, its Content-Type and {@code ETag: "<version>"};</li>
 * <li>{@code PUT /v1/kv/{ns}/{key}[?ttl=5m]}: stores the body; {@code If-Match: "<version>"} or
 * {@code If-None-Match: *} make it a compare-and-set;</li>
 * <li>{@code DELETE /v1/kv/{ns}/{key}} (honours {@code If-Match});</li>
 * <li>{@code GET /v1/kv/{ns}?prefix=&start_after=&limit=&values=}: NDJSON of items.</li>
 * </ul>
 * Keys may contain {@code /}; percent-encode what the shell or URL would otherwise eat.
 */
public final class KvCurlRoutes {
    private static final String PREFIX = "/v1/kv/";
    private final RoutingTable table;
    private final Bodies bodies;

    public KvCurlRoutes(RoutingTable table, Bodies bodies) {
        this.table = table;
        this.bodies = bodies;
    }

    /**
     * HTTP semantics for conditional writes: an If-Match that does not match, or If-None-Match: *
     * on an existing key, is 412 Precondition Failed (the gateway keeps grpc-gateway's 400).
     */
    private static ApiException conditional(ServerRequest req, ApiException e) {
        boolean conditional = req.headers().contains(HeaderNames.IF_MATCH) || req.headers().contains(HeaderNames.IF_NONE_MATCH);
        return conditional && e.code() == io.memsidecar.core.Code.FAILED_PRECONDITION ? e.withHttpStatus(412) : e;
    }

    public void register(HttpRouting.Builder routing) {
        routing.get(PREFIX + "*", this::get)
                .put(PREFIX + "*", this::put)
                .delete(PREFIX + "*", this::delete);
    }

    private record Target(String namespace, Optional<String> key) {
    }

    private static Target target(ServerRequest req) {
        String rest = req.path().rawPath().substring(PREFIX.length());
        int slash = rest.indexOf('/');
        String ns = decode(slash < 0 ? rest : rest.substring(0, slash));
        Optional<String> key = slash < 0 ? Optional.empty() : Optional.of(decode(rest.substring(slash + 1)));
        return new Target(ns, key.filter(k -> !k.isEmpty()));
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private Call call(ServerRequest req) {
        return HttpGateway.call(req, "curl", () -> false);
    }

    @SuppressWarnings("unchecked")
    private <Q extends Message, R extends Message> Route<Q, R> route(String method) {
        return (Route<Q, R>) table.route(KvService.SERVICE + "/" + method).orElseThrow();
    }

    private <Q extends Message, R extends Message> R unary(String method, ServerRequest req, Q request) {
        return HttpGateway.call(this.<Q, R>route(method), call(req), request);
    }

    private void get(ServerRequest req, ServerResponse res) {
        try {
            Target t = target(req);
            if (t.key().isEmpty()) {
                scan(req, res, t.namespace());
                return;
            }
            GetResponse r = unary("Get", req,
                    GetRequest.newBuilder().setNamespace(t.namespace()).setKey(t.key().get()).build());
            if (!r.getFound()) {
                HttpGateway.error(res, ApiException.notFound("key not found"));
                return;
            }
            res.header(HeaderNames.ETAG, "\"" + r.getVersion() + "\"");
            res.header(HeaderNames.CONTENT_TYPE,
                    r.getContentType().isEmpty() ? "application/octet-stream" : r.getContentType());
            res.send(r.getValue().toByteArray());
        } catch (ApiException e) {
            HttpGateway.error(res, e);
        }
    }

    private void scan(ServerRequest req, ServerResponse res, String namespace) {
        var q = req.query();
        var scan = ScanRequest.newBuilder().setNamespace(namespace)
                .setKeyPrefix(q.first("prefix").orElse(""))
                .setStartAfter(q.first("start_after").orElse(""))
                .setIncludeValues(q.first("values").map(Boolean::parseBoolean).orElse(false));
        try {
            scan.setLimit(Integer.parseUnsignedInt(q.first("limit").orElse("0")));
        } catch (NumberFormatException e) {
            throw ApiException.invalidArgument("limit must be a non-negative integer");
        }
        Route<ScanRequest, Message> route = route("Scan");
        HttpGateway.stream(route, req, "curl", scan.build(), res, "application/x-ndjson", HttpGateway::json);
    }

    private void put(ServerRequest req, ServerResponse res) {
        try {
            Target t = target(req);
            var put = PutRequest.newBuilder().setNamespace(t.namespace()).setKey(t.key().orElse(""))
                    .setValue(ByteString.copyFrom(bodies.read(req)))
                    .setContentType(req.headers().first(HeaderNames.CONTENT_TYPE).orElse(""));
            Optional<String> ttl = req.query().first("ttl").asOptional();
            if (ttl.isPresent()) {
                try {
                    put.setTtl(ProtoTime.duration(GoDuration.parse(ttl.get())));
                } catch (IllegalArgumentException e) {
                    throw ApiException.invalidArgument("ttl: " + e.getMessage());
                }
            }
            ifVersion(req).ifPresent(put::setIfVersion);
            PutResponse r = unary("Put", req, put.build());
            res.header(HeaderNames.ETAG, "\"" + r.getVersion() + "\"");
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(HttpGateway.json(r));
        } catch (ApiException e) {
            HttpGateway.error(res, conditional(req, e));
        }
    }

    private void delete(ServerRequest req, ServerResponse res) {
        try {
            Target t = target(req);
            var del = DeleteRequest.newBuilder().setNamespace(t.namespace()).setKey(t.key().orElse(""));
            ifVersion(req).ifPresent(del::setIfVersion);
            Message r = unary("Delete", req, del.build());
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(HttpGateway.json(r));
        } catch (ApiException e) {
            HttpGateway.error(res, conditional(req, e));
        }
    }

    /** {@code If-Match: "3"} → 3; {@code If-None-Match: *} → 0 ("must not exist"). */
    private static Optional<Long> ifVersion(ServerRequest req) {
        Optional<String> match = req.headers().first(HeaderNames.IF_MATCH);
        if (match.isPresent()) {
            String v = match.get().strip().replace("W/", "").replace("\"", "");
            try {
                return Optional.of(Long.parseUnsignedLong(v));
            } catch (NumberFormatException e) {
                throw ApiException.invalidArgument("If-Match must be a version, e.g. \"3\"");
            }
        }
        if (req.headers().first(HeaderNames.IF_NONE_MATCH).map(v -> v.strip().equals("*")).orElse(false)) {
            return Optional.of(0L);
        }
        return Optional.empty();
    }
}
