package io.memsidecar.server.transport;

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
import io.memsidecar.server.auth.AuthFilter;
import io.memsidecar.server.auth.TlsMaterial;
import java.io.IOException;
import java.io.OutputStream;
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
public final class HttpGateway {
    static final HeaderName CAPABILITY = HeaderNames.create(AuthFilter.HEADER);
    private static final HeaderName GRPC_TIMEOUT = HeaderNames.create("grpc-timeout");
    private static final HeaderName CONNECT_TIMEOUT = HeaderNames.create("connect-timeout-ms");
    static final JsonFormat.Printer PRINTER = JsonFormat.printer().includingDefaultValueFields()
            .omittingInsignificantWhitespace();
    static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private final RoutingTable table;
    private final Bodies bodies;

    public HttpGateway(RoutingTable table, Bodies bodies) {
        this.table = table;
        this.bodies = bodies;
    }

    public void register(HttpRouting.Builder routing) {
        routing.post("/{service}/{method}", this::handle);
    }

    private void handle(ServerRequest req, ServerResponse res) {
        String service = req.path().pathParameters().get("service");
        String method = req.path().pathParameters().get("method");
        String fullName = service + "/" + method;
        Optional<Route<?, ?>> route = table.route(fullName);
        if (route.isEmpty()) {
            error(res, ApiException.notFound("unknown method " + fullName));
            return;
        }
        invoke(route.get(), req, res);
    }

    private <Q extends Message, R extends Message> void invoke(Route<Q, R> route, ServerRequest req, ServerResponse res) {
        if (route.kind() == Kind.CLIENT_STREAMING) {
            clientStream(route, req, res);
            return;
        }
        Q request;
        try {
            request = parse(route.requestPrototype(), bodies.read(req));
        } catch (ApiException e) {
            error(res, e);
            return;
        }
        if (route.kind() == Kind.UNARY) {
            try {
                respond(route, call(req, "http", () -> false), request, res);
            } catch (ApiException e) {
                error(res, e);
            }
            return;
        }
        stream(route, req, "http", request, res, "application/json", m -> "{\"result\":" + json(m) + "}");
    }

    /** A client stream over HTTP: the body is newline-delimited JSON messages, read as the handler asks. */
    private <Q extends Message, R extends Message> void clientStream(Route<Q, R> route, ServerRequest req, ServerResponse res) {
        var in = new java.io.BufferedInputStream(Bodies.stream(req));
        java.util.function.Supplier<Optional<Q>> next = () -> {
            try {
                return bodies.line(in).map(line -> parse(route.requestPrototype(), line));
            } catch (IOException e) {
                throw new ApiException(Code.CANCELLED, "request body ended early");
            }
        };
        try {
            Q first = next.get().orElseThrow(() -> ApiException.invalidArgument("expected at least one message"));
            io.memsidecar.core.Source<Q> rest = next::get;
            respond(route, call(req, "http", () -> false).withRest(rest), first, res);
        } catch (ApiException e) {
            error(res, e);
        }
    }

    /** A call for an HTTP request: its capability header, its other headers (traceparent), its transport name. */
    static Call call(ServerRequest req, String transport, java.util.function.BooleanSupplier cancelled) {
        return new Call(transport, req.headers().first(CAPABILITY), cancelled,
                name -> req.headers().first(HeaderNames.create(name)))
                .withClientSubject(TlsMaterial.clientSubject(req.remotePeer()))
                .withDeadline(CallDeadline.from(req.headers().first(GRPC_TIMEOUT), req.headers().first(CONNECT_TIMEOUT)));
    }

    /** Runs a route that answers with one message and sends it as JSON; shared with the curl routes. */
    static <Q extends Message, R extends Message> R call(Route<Q, R> route, Call call, Q request) {
        List<R> out = new ArrayList<>(1);
        route.handler().handle(call, request, out::add);
        return out.getFirst();
    }

    private static <Q extends Message, R extends Message> void respond(Route<Q, R> route, Call call, Q request,
                                                                       ServerResponse res) {
        R response = call(route, call, request);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(json(response).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Streams NDJSON lines; shared with the curl routes. A stream that stays quiet (a Tail with
     * no new events) gets an empty line every {@link #HEARTBEAT}: it keeps proxies from closing
     * the connection and is how a closed connection is noticed, which cancels the call.
     */
    static <Q extends Message, R extends Message> void stream(Route<Q, R> route, ServerRequest req, String transport,
                                                              Q request, ServerResponse res, String contentType,
                                                              java.util.function.Function<R, String> line) {
        var body = new StreamBody(res, contentType);
        Call call = call(req, transport, body::isClosed);
        Thread heartbeat = Thread.ofVirtual().start(body::heartbeat);
        try {
            route.handler().handle(call, request, item -> body.write(line.apply(item)));
            body.finish();
        } catch (ApiException e) {
            body.fail(e);
        } finally {
            heartbeat.interrupt();
            body.close();
        }
    }

    static final java.time.Duration HEARTBEAT = java.time.Duration.ofSeconds(15);

    /** The response body of a stream, written by the handler and the heartbeat under one lock. */
    private static final class StreamBody {
        private final ServerResponse res;
        private final String contentType;
        private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
        private OutputStream out;
        private volatile boolean closed;
        private volatile long lastWrite = System.nanoTime();

        StreamBody(ServerResponse res, String contentType) {
            this.res = res;
            this.contentType = contentType;
        }

        boolean isClosed() {
            return closed;
        }

        void write(String line) {
            lock.lock();
            try {
                if (out == null) {
                    res.header(HeaderNames.CONTENT_TYPE, contentType);
                    out = res.outputStream();
                }
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                lastWrite = System.nanoTime();
            } catch (IOException | RuntimeException e) {
                closed = true;
                throw new ApiException(Code.CANCELLED, "client went away");
            } finally {
                lock.unlock();
            }
        }

        void heartbeat() {
            try {
                while (!closed) {
                    Thread.sleep(HEARTBEAT);
                    if (System.nanoTime() - lastWrite >= HEARTBEAT.toNanos()) {
                        write("");
                    }
                }
            } catch (InterruptedException | ApiException e) {
                // stream over, or the client went away
            }
        }

        void finish() {
            lock.lock();
            try {
                if (out == null) {
                    res.header(HeaderNames.CONTENT_TYPE, contentType);
                    res.send();
                }
            } finally {
                lock.unlock();
            }
        }

        void fail(ApiException e) {
            lock.lock();
            try {
                if (out == null) {
                    status(res, e);
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(("{\"error\":" + statusJson(e) + "}").getBytes(StandardCharsets.UTF_8));
                } else if (!closed) {
                    out.write(("{\"error\":" + statusJson(e) + "}\n").getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // client gone
            } finally {
                lock.unlock();
            }
        }

        void close() {
            lock.lock();
            try {
                closed = true;
                if (out != null) {
                    out.close();
                }
            } catch (IOException ignored) {
                // client gone
            } finally {
                lock.unlock();
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
        status(res, e);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(statusJson(e).getBytes(StandardCharsets.UTF_8));
    }

    /** The error's HTTP status; an UNAVAILABLE one (503) says when to try again, as HTTP clients and
     * proxies expect (RFC 9110 §10.2.3). */
    static void status(ServerResponse res, ApiException e) {
        res.status(Status.create(e.httpStatus()));
        if (e.code() == Code.UNAVAILABLE) {
            res.header(RETRY_AFTER, "1");
        }
    }

    private static final HeaderName RETRY_AFTER = HeaderNames.create("Retry-After");
}
