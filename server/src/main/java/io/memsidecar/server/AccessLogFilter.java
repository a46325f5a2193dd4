package io.memsidecar.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Message;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Capability;
import io.memsidecar.core.Code;
import io.memsidecar.core.Filter;
import io.memsidecar.core.Handler;
import io.memsidecar.core.Route;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.UUID;

/**
 * The outermost filter: turns any unexpected exception into INTERNAL with a correlation id (the
 * stack goes to the log, never to the caller), and writes one JSON access-log line per call with
 * the principal that the inner auth filter put on the call. Never a token or a value.
 */
final class AccessLogFilter implements Filter {
    static final System.Logger ACCESS = System.getLogger("memsidecar.access");
    private static final System.Logger LOG = System.getLogger(AccessLogFilter.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public <Q extends Message, R extends Message> Handler<Q, R> apply(Route<Q, R> route, Handler<Q, R> next) {
        return (call, request, sink) -> {
            long start = System.nanoTime();
            Code code = Code.OK;
            try {
                next.handle(call, request, sink);
            } catch (ApiException e) {
                code = e.code();
                if (code == Code.INTERNAL && e.getCause() != null) {
                    throw internal(route, e.getCause());
                }
                throw e;
            } catch (RuntimeException e) {
                if (call.isCancelled()) {
                    code = Code.CANCELLED;
                    throw new ApiException(Code.CANCELLED, "call cancelled by the client");
                }
                code = Code.INTERNAL;
                throw internal(route, e);
            } finally {
                if (ACCESS.isLoggable(Level.INFO)) {
                    log(route, call, request, code, System.nanoTime() - start);
                }
            }
        };
    }

    private static ApiException internal(Route<?, ?> route, Throwable cause) {
        String id = UUID.randomUUID().toString();
        LOG.log(Level.ERROR, "internal error in " + route.fullName() + " (correlation id " + id + ")", cause);
        return new ApiException(Code.INTERNAL, route.op().name() + ": internal error (correlation id " + id + ")");
    }

    private static <Q extends Message> void log(Route<Q, ?> route, io.memsidecar.core.Call call, Q request,
                                                Code code, long nanos) {
        var line = new LinkedHashMap<String, Object>();
        line.put("msg", "rpc");
        line.put("method", "/" + route.fullName());
        line.put("transport", call.transport());
        line.put("tenant", call.capability().map(Capability::tenant).orElse(""));
        line.put("agent", call.capability().map(Capability::agent).orElse(""));
        line.put("namespace", route.op().block() + "/" + route.scope().apply(request).namespace());
        line.put("code", code.name());
        line.put("duration_ms", nanos / 1e6);
        try {
            ACCESS.log(code == Code.OK ? Level.INFO : Level.WARNING, JSON.writeValueAsString(line));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            LOG.log(Level.WARNING, "access log line not written: " + e.getMessage());
        }
    }
}
