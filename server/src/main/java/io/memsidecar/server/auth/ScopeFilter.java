package io.memsidecar.server.auth;

import com.google.protobuf.Message;
import io.memsidecar.core.Filter;
import io.memsidecar.core.Handler;
import io.memsidecar.core.Route;

/** PERMISSION_DENIED unless the token's namespace patterns and ops cover the call. */
public final class ScopeFilter implements Filter {
    @Override
    public <Q extends Message, R extends Message> Handler<Q, R> apply(Route<Q, R> route, Handler<Q, R> next) {
        return (call, request, sink) -> {
            call.requireCapability().check(route.op(), route.scope().apply(request).namespace());
            next.handle(call, request, sink);
        };
    }
}
