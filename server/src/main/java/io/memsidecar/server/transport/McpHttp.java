package io.memsidecar.server.transport;

import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Call;
import io.memsidecar.core.Route;
import io.memsidecar.core.RoutingTable;
import io.memsidecar.mcp.MemsidecarMcp;
import io.memsidecar.mcp.Rpc;
import io.memsidecar.proto.Version;
import io.memsidecar.proto.admin.v1.NamespaceInfo;
import io.memsidecar.server.auth.AuthFilter;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpStatelessServerHandler;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStatelessServerTransport;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * MCP over the streamable HTTP transport at {@code POST /mcp}, stateless: each JSON-RPC request
 * is answered with one JSON response (no session, no server-initiated stream, so {@code GET}
 * is 405 as the transport allows). The MCP Java SDK does the protocol; this class carries it
 * over Helidon.
 *
 * <p>Every request needs the capability token ({@code Authorization: Bearer …} or
 * {@code x-memsidecar-capability}); without a valid one the answer is 401. Tool calls then go
 * through the routing table as transport {@code mcp}, with that token: scopes, policy, rate
 * limits, the access log and metrics apply to them as to any call. A browser page from another
 * origin is refused (403): the Origin header, when sent, must name this host.
 */
public final class McpHttp implements McpStatelessServerTransport {
    static final String PATH = "/mcp";
    private static final String CREDENTIAL = "credential";
    private static final String TRACEPARENT = "traceparent";

    private final RoutingTable table;
    private final Bodies bodies;
    private final Function<String, ?> authenticate;
    private final McpJsonMapper json = MemsidecarMcp.jsonMapper();
    private volatile McpStatelessServerHandler handler;

    /** {@code authenticate}: verifies a bare token, or throws UNAUTHENTICATED. */
    public McpHttp(RoutingTable table, Bodies bodies, Function<String, ?> authenticate, List<NamespaceInfo> namespaces) {
        this.table = table;
        this.bodies = bodies;
        this.authenticate = authenticate;
        new MemsidecarMcp(Version.current()).stateless(this, this::rpc, namespaces);
    }

    public void register(HttpRouting.Builder routing) {
        routing.post(PATH, this::handle);
        io.helidon.webserver.http.Handler notAllowed = (req, res) ->
                res.status(Status.METHOD_NOT_ALLOWED_405).header(HeaderNames.ALLOW, "POST").send();
        routing.get(PATH, notAllowed).delete(PATH, notAllowed);
    }

    @Override
    public void setMcpHandler(McpStatelessServerHandler mcpHandler) {
        this.handler = mcpHandler;
    }

    @Override
    public Mono<Void> closeGracefully() {
        return Mono.empty();
    }

    private void handle(ServerRequest req, ServerResponse res) {
        if (!sameOrigin(req)) {
            res.status(Status.FORBIDDEN_403);
            reply(res, error(McpSchema.ErrorCodes.INVALID_REQUEST, "cross-origin requests are refused"));
            return;
        }
        Optional<String> credential = req.headers().first(HttpGateway.CAPABILITY)
                .or(() -> req.headers().first(HeaderNames.AUTHORIZATION)).map(AuthFilter::bareToken).filter(t -> !t.isEmpty());
        try {
            authenticate.apply(credential.orElseThrow(() ->
                    ApiException.unauthenticated("missing capability token (Authorization: Bearer or x-memsidecar-capability)")));
        } catch (ApiException e) {
            res.status(Status.UNAUTHORIZED_401).header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"memsidecar\"");
            reply(res, error(McpSchema.ErrorCodes.INVALID_REQUEST, e.getMessage()));
            return;
        }
        McpSchema.JSONRPCMessage message;
        try {
            message = McpSchema.deserializeJsonRpcMessage(json, new String(bodies.read(req), StandardCharsets.UTF_8));
        } catch (ApiException e) {
            HttpGateway.error(res, e);
            return;
        } catch (IOException | IllegalArgumentException e) {
            res.status(Status.BAD_REQUEST_400);
            reply(res, error(McpSchema.ErrorCodes.PARSE_ERROR, "not a JSON-RPC message"));
            return;
        }
        var context = McpTransportContext.create(Map.of(CREDENTIAL, credential.get(),
                TRACEPARENT, req.headers().first(HeaderNames.create(TRACEPARENT)).orElse("")));
        switch (message) {
            case McpSchema.JSONRPCRequest request -> reply(res, handler.handleRequest(context, request)
                    .contextWrite(ctx -> ctx.put(McpTransportContext.KEY, context)).block());
            case McpSchema.JSONRPCNotification notification -> {
                handler.handleNotification(context, notification).contextWrite(ctx -> ctx.put(McpTransportContext.KEY, context))
                        .block();
                res.status(Status.ACCEPTED_202).send();
            }
            default -> res.status(Status.ACCEPTED_202).send(); // a response to a request this server never sends
        }
    }

    /** No Origin (not a browser), or one whose host is the one the request was sent to. */
    private static boolean sameOrigin(ServerRequest req) {
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        if (origin.isEmpty()) {
            return true;
        }
        try {
            String host = URI.create(origin.get()).getHost();
            return host != null && host.equalsIgnoreCase(req.requestedUri().host());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A refusal before any JSON-RPC message was read (so without an id), as the SDK's own transports send it. */
    private static Map<String, Object> error(int code, String message) {
        return Map.of("error", Map.of("code", code, "message", message));
    }

    private void reply(ServerResponse res, Object response) {
        try {
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(json.writeValueAsBytes(response));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The API as the caller of one MCP request may use it: the routing table, with their token. */
    private Rpc rpc(McpTransportContext context) {
        String credential = (String) context.get(CREDENTIAL);
        String traceparent = (String) context.get(TRACEPARENT);
        long deadline = System.nanoTime() + MemsidecarMcp.TOOL_TIMEOUT.toNanos();
        return new Rpc() {
            @Override
            public <Q extends Message, R extends Message> R unary(MethodDescriptor<Q, R> method, Q request) {
                return collect(method, request).getFirst();
            }

            @Override
            @SuppressWarnings("unchecked")
            public <Q extends Message, R extends Message> List<R> collect(MethodDescriptor<Q, R> method, Q request) {
                Route<Q, R> route = (Route<Q, R>) table.route(method.getFullMethodName()).orElseThrow();
                var call = new Call("mcp", Optional.of(credential), () -> System.nanoTime() > deadline,
                        name -> name.equals(TRACEPARENT) && !traceparent.isEmpty() ? Optional.of(traceparent) : Optional.empty());
                var out = new ArrayList<R>();
                try {
                    route.handler().handle(call, request, out::add);
                } catch (ApiException e) {
                    throw new Rpc.RpcException(e.code().name(), e.getMessage());
                }
                return out;
            }
        };
    }
}
