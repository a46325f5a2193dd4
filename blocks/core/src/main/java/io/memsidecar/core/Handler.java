package io.memsidecar.core;

/**
 * The one shape every route's handler has, unary or streaming, so that a filter is written once.
 * Handlers block; they run on the call's own virtual thread.
 */
@FunctionalInterface
public interface Handler<Q, R> {
    void handle(Call call, Q request, Sink<R> sink);
}
