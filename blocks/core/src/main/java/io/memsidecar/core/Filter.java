package io.memsidecar.core;

import com.google.protobuf.Message;

/**
 * Cross-cutting work around a handler (auth, policy, observability). Composed once at start-up,
 * applied to every route of every transport.
 */
@FunctionalInterface
public interface Filter {
    <Q extends Message, R extends Message> Handler<Q, R> apply(Route<Q, R> route, Handler<Q, R> next);
}
