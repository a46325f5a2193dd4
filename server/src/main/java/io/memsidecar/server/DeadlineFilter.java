package io.memsidecar.server;

import com.google.protobuf.Message;
import io.memsidecar.core.Deadline;
import io.memsidecar.core.Filter;
import io.memsidecar.core.Handler;
import io.memsidecar.core.Kind;
import io.memsidecar.core.Route;
import java.time.Duration;

/**
 * Binds each call's deadline around its handler ({@link Deadline}), so the drivers bound their waits
 * by it: the caller's own, and for a unary call without one {@code server.request_timeout}. Streams
 * (tails, artifact transfers) run as long as their caller wants.
 */
final class DeadlineFilter implements Filter {
    private final Duration requestTimeout;

    DeadlineFilter(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    @Override
    public <Q extends Message, R extends Message> Handler<Q, R> apply(Route<Q, R> route, Handler<Q, R> next) {
        boolean unary = route.kind() == Kind.UNARY;
        return (call, request, sink) -> {
            long serverDefault = unary ? Deadline.after(System.nanoTime(), requestTimeout) : Long.MAX_VALUE;
            try (var scope = Deadline.bind(call.deadline(), serverDefault)) {
                next.handle(call, request, sink);
            }
        };
    }
}
