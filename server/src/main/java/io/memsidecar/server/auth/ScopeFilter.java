package io.memsidecar.server.auth;

import com.google.protobuf.Message;
import io.memsidecar.core.Filter;
import io.memsidecar.core.Handler;
import io.memsidecar.core.Route;
import io.memsidecar.core.Scope;

/** PERMISSION_DENIED unless the token's namespace patterns and ops cover the call. */
public final class ScopeFilter implements Filter {
    @Override
    public <Q extends Message, R extends Message> Handler<Q, R> apply(Route<Q, R> route, Handler<Q, R> next) {
        return (call, request, sink) -> {
            Scope scope = route.scope().apply(request);
            call.requireCapability().check(route.op(), scope.block(), scope.namespace());
            next.handle(call, request, sink);
        };
    }
}
