package io.memsidecar.core;

import com.google.protobuf.Message;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One RPC of the routing table, free of any transport: its gRPC name, message prototypes, the op
 * it performs, how to read its {@link Scope} from a request, and its handler.
 */
public record Route<Q extends Message, R extends Message>(String service,
                                                          String method,
                                                          Kind kind,
                                                          Q requestPrototype,
                                                          R responsePrototype,
                                                          Op op,
                                                          Function<Q, Scope> scope,
                                                          Handler<Q, R> handler) {

    public static <Q extends Message, R extends Message> Route<Q, R> unary(
            String service, String method, Q request, R response, Op op,
            Function<Q, Scope> scope, BiFunction<Call, Q, R> handler) {
        return new Route<>(service, method, Kind.UNARY, request, response, op, scope,
                (call, q, sink) -> sink.send(handler.apply(call, q)));
    }

    public static <Q extends Message, R extends Message> Route<Q, R> serverStreaming(
            String service, String method, Q request, R response, Op op,
            Function<Q, Scope> scope, Handler<Q, R> handler) {
        return new Route<>(service, method, Kind.SERVER_STREAMING, request, response, op, scope, handler);
    }

    /**
     * A client stream: scope, auth and policy are decided on the first message (for example an
     * artifact's init), then the handler pulls the rest from {@link Call#rest()}.
     */
    public static <Q extends Message, R extends Message> Route<Q, R> clientStreaming(
            String service, String method, Q request, R response, Op op,
            Function<Q, Scope> scope, BiFunction<Call, Q, R> handler) {
        return new Route<>(service, method, Kind.CLIENT_STREAMING, request, response, op, scope,
                (call, q, sink) -> sink.send(handler.apply(call, q)));
    }

    /** {@code memsidecar.kv.v1.KV/Get}: the gRPC full method name. */
    public String fullName() {
        return service + "/" + method;
    }

    public Route<Q, R> withHandler(Handler<Q, R> newHandler) {
        return new Route<>(service, method, kind, requestPrototype, responsePrototype, op, scope, newHandler);
    }

    Route<Q, R> filtered(java.util.List<Filter> filters) {
        Handler<Q, R> h = handler;
        for (int i = filters.size() - 1; i >= 0; i--) {
            h = filters.get(i).apply(this, h);
        }
        return withHandler(h);
    }
}
