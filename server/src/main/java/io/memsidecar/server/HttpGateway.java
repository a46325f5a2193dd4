package io.memsidecar.server;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Call;
import io.memsidecar.core.Code;
import io.memsidecar.core.Kind;
import io.memsidecar.core.Route;
import io.memsidecar.core.RoutingTable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The grpc-gateway-compatible HTTP mirror (spec §2.1): {@code POST /<pkg>.<Svc>/<Method>} with a
 * protobuf-JSON body. Unary answers are one JSON object; server streams are newline-delimited
 * {@code {"result": ...}} objects, and an error after the first item is a final
 * {@code {"error": ...}} line. Errors are {@code google.rpc.Status} JSON with the mapped HTTP status.
 */
final class HttpGateway {
    static final HeaderName CAPABILITY = HeaderNames.create(PasetoAuthenticationProvider.HEADER);
    static final JsonFormat.Printer PRINTER = JsonFormat.printer().includingDefaultValueFields()
            .omittingInsignificantWhitespace();
    static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private final RoutingTable table;

    HttpGateway(RoutingTable table) {
        this.table = table;
    }

    void register(HttpRouting.Builder routing) {
        routing.post("/{service}/{method}", this::handle);
    }

    private void handle(ServerRequest req, ServerResponse res) {
        String service = req.path().pathParameters().get("service");
        String method = req.path().pathParameters().get("method");
        String fullName = service + "/" + method;
        Optional<Route<?, ?>> route = table.route(fullName);
        if (route.isEmpty()) {
            boolean known = GrpcTransport.inContract(fullName);
            error(res, new ApiException(known ? Code.UNIMPLEMENTED : Code.NOT_FOUND,
                    known ? "method " + fullName + " is not implemented by this server yet" : "unknown method " + fullName));
            return;
        }
        invoke(route.get(), req, res);
    }

    private <Q extends Message, R extends Message> void invoke(Route<Q, R> route, ServerRequest req, ServerResponse res) {
        Q request;
        try {
            request = parse(route.requestPrototype(), req.content().as(byte[].class));
        } catch (ApiException e) {
            error(res, e);
            return;
        }
        Call call = new Call("http", req.headers().first(CAPABILITY), () -> false);
        if (route.kind() == Kind.UNARY) {
            List<R> out = new ArrayList<>(1);
            try {
                route.handler().handle(call, request, out::add);
            } catch (ApiException e) {
                error(res, e);
                return;
            }
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(json(out.getFirst()).getBytes(StandardCharsets.UTF_8));
            return;
        }
        stream(route, call, request, res, "application/json", m -> "{\"result\":" + json(m) + "}");
    }

    /** Streams NDJSON lines; shared with the curl routes. */
    static <Q extends Message, R extends Message> void stream(Route<Q, R> route, Call call, Q request, ServerResponse res,
                                                              String contentType,
                                                              java.util.function.Function<R, String> line) {
        OutputStream[] out = {null};
        try {
            route.handler().handle(call, request, item -> {
                try {
                    if (out[0] == null) {
                        res.header(HeaderNames.CONTENT_TYPE, contentType);
                        out[0] = res.outputStream();
                    }
                    out[0].write((line.apply(item) + "\n").getBytes(StandardCharsets.UTF_8));
                    out[0].flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            if (out[0] == null) {
                res.header(HeaderNames.CONTENT_TYPE, contentType);
                res.send();
            }
        } catch (ApiException e) {
            if (out[0] == null) {
                res.status(Status.create(e.code().httpStatus()));
                res.header(HeaderNames.CONTENT_TYPE, "application/json");
                res.send(("{\"error\":" + statusJson(e) + "}").getBytes(StandardCharsets.UTF_8));
                return;
            }
            try {
                out[0].write(("{\"error\":" + statusJson(e) + "}\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // client gone
            }
        } finally {
            if (out[0] != null) {
                try {
                    out[0].close();
                } catch (IOException ignored) {
                    // client gone
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    static <Q extends Message> Q parse(Q prototype, byte[] body) {
        Message.Builder builder = prototype.newBuilderForType();
        String text = new String(body, StandardCharsets.UTF_8);
        if (!text.isBlank()) {
            try {
                PARSER.merge(text, builder);
            } catch (InvalidProtocolBufferException | RuntimeException e) {
                throw ApiException.invalidArgument("invalid JSON body for " + prototype.getDescriptorForType().getFullName()
                        + ": " + e.getMessage());
            }
        }
        return (Q) builder.build();
    }

    static String json(Message message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    static String statusJson(ApiException e) {
        var node = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        node.put("code", e.code().grpcValue());
        node.put("message", e.getMessage());
        node.putArray("details");
        return node.toString();
    }

    static void error(ServerResponse res, ApiException e) {
        res.status(Status.create(e.code().httpStatus()));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(statusJson(e).getBytes(StandardCharsets.UTF_8));
    }
}
