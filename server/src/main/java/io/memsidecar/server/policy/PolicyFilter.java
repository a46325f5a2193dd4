package io.memsidecar.server.policy;

import com.google.protobuf.Message;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Code;
import io.memsidecar.core.Filter;
import io.memsidecar.core.Handler;
import io.memsidecar.core.Route;
import java.util.function.Supplier;

/**
 * Applies the {@link Policy} once per call, before the handler: for a server stream that is its
 * one request message, so namespace rules see the namespace (the original's streaming bug).
 * Deny is PERMISSION_DENIED; rate limits and caps are RESOURCE_EXHAUSTED.
 */
public final class PolicyFilter implements Filter {
    private final Supplier<Policy> policy;

    public PolicyFilter(Supplier<Policy> policy) {
        this.policy = policy;
    }

    @Override
    public <Q extends Message, R extends Message> Handler<Q, R> apply(Route<Q, R> route, Handler<Q, R> next) {
        return (call, request, sink) -> {
            Policy.Decision d = policy.get().decide(call.requireCapability(), route.op(), route.scope().apply(request));
            if (!d.allowed()) {
                throw new ApiException(d.exhausted() ? Code.RESOURCE_EXHAUSTED : Code.PERMISSION_DENIED,
                        "policy: " + d.reason());
            }
            next.handle(call, request, sink);
        };
    }
}
