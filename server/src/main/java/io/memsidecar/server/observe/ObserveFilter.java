package io.memsidecar.server.observe;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Call;
import io.memsidecar.core.Capability;
import io.memsidecar.core.Code;
import io.memsidecar.core.Filter;
import io.memsidecar.core.Handler;
import io.memsidecar.core.Route;
import io.memsidecar.core.Sink;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The outermost filter, once per call on every transport: a server span (W3C
 * {@code traceparent} honoured) that ends carrying the principal the inner auth filter found;
 * the spec §8 metrics ({@code memsidecar.op.duration}, {@code rpc.server.duration},
 * {@code memsidecar.result.size}, {@code memsidecar.result.top_score}); unexpected exceptions
 * turned into INTERNAL with a correlation id (the stack goes to the log, never to the caller);
 * and one JSON access-log line with the trace and span ids ({@link AccessLog}). Never a token or a value.
 */
public final class ObserveFilter implements Filter {
    private static final System.Logger LOG = System.getLogger(ObserveFilter.class.getName());
    /** Latency buckets of the duration histograms, 100 µs to 10 s. */
    private static final Duration[] BUCKETS = java.util.stream.DoubleStream.of(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100,
            250, 500, 1000, 2500, 5000, 10000).mapToObj(ms -> Duration.ofNanos((long) (ms * 1e6))).toArray(Duration[]::new);
    private static final String UNKNOWN = "(unknown)";
    private static final TextMapGetter<Call> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Call call) {
            return List.of();
        }

        @Override
        public String get(Call call, String key) {
            return call == null ? null : call.header(key).orElse(null);
        }
    };

    private final Telemetry telemetry;
    private final AccessLog access = AccessLog.global();
    private final boolean metrics;
    /** The configured namespaces by block: only those become label values. */
    private final Map<String, Set<String>> namespaces;

    public ObserveFilter(Telemetry telemetry, Map<String, Set<String>> namespaces) {
        this.telemetry = telemetry;
        this.metrics = telemetry.metrics();
        this.namespaces = Map.copyOf(namespaces);
    }

    @Override
    public <Q extends Message, R extends Message> Handler<Q, R> apply(Route<Q, R> route, Handler<Q, R> next) {
        var meters = metrics ? new RouteMeters(route, telemetry.registry()) : null;
        Set<String> labelled = namespaces.getOrDefault(route.op().block(), Set.of());
        boolean tracing = telemetry.tracing();
        String spanName = route.fullName();
        return (call, request, sink) -> {
            long start = System.nanoTime();
            Span span = tracing ? telemetry.tracer().spanBuilder(spanName).setSpanKind(SpanKind.SERVER)
                    .setParent(telemetry.propagator().extract(Context.root(), call, HEADERS)).startSpan() : Span.getInvalid();
            Code code = Code.OK;
            var counting = meters == null ? null : new CountingSink<>(sink);
            try (Scope ignored = tracing ? span.makeCurrent() : Scope.noop()) {
                next.handle(call, request, counting == null ? sink : counting);
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
                long nanos = System.nanoTime() - start;
                String name = route.scope().apply(request).namespace();
                if (meters != null) {
                    try {
                        meters.record(labelled.contains(name) ? name : UNKNOWN, code, call.transport(), nanos, counting);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "metrics of " + route.fullName() + " not recorded: " + e.getMessage());
                    }
                }
                if (tracing) {
                    end(span, route, call, name, code);
                }
                if (access.wants(code == Code.OK)) {
                    log(route, call, name, code, nanos, span);
                }
            }
        };
    }

    private static void end(Span span, Route<?, ?> route, Call call, String namespace, Code code) {
        if (!span.isRecording()) {
            span.end(); // not sampled: nothing to fill in
            return;
        }
        span.setAttribute("memsidecar.method", "/" + route.fullName());
        span.setAttribute("memsidecar.namespace", route.op().block() + "/" + namespace);
        span.setAttribute("memsidecar.transport", call.transport());
        call.capability().ifPresent(c -> {
            span.setAttribute("memsidecar.tenant", c.tenant());
            span.setAttribute("memsidecar.agent", c.agent());
        });
        span.setAttribute(AttributeKey.longKey("rpc.grpc.status_code"), code.grpcValue());
        span.setAttribute("rpc.system", "grpc");
        span.setAttribute("rpc.service", route.service());
        span.setAttribute("rpc.method", route.method());
        if (code != Code.OK) {
            span.setStatus(StatusCode.ERROR, code.name());
        }
        span.end();
    }

    private static ApiException internal(Route<?, ?> route, Throwable cause) {
        String id = UUID.randomUUID().toString();
        LOG.log(Level.ERROR, "internal error in " + route.fullName() + " (correlation id " + id + ")", cause);
        return new ApiException(Code.INTERNAL, route.op().name() + ": internal error (correlation id " + id + ")");
    }

    private void log(Route<?, ?> route, Call call, String namespace, Code code, long nanos, Span span) {
        var line = new AccessLog.Line(code == Code.OK).field("method", "/" + route.fullName())
                .field("transport", call.transport())
                .field("tenant", call.capability().map(Capability::tenant).orElse(""))
                .field("agent", call.capability().map(Capability::agent).orElse(""));
        call.clientSubject().ifPresent(subject -> line.field("client_cert", subject));
        line.field("namespace", route.op().block() + "/" + namespace).field("code", code.name())
                .number("duration_ms", nanos / 1e6);
        if (span.getSpanContext().isValid()) {
            line.field("trace_id", span.getSpanContext().getTraceId()).field("span_id", span.getSpanContext().getSpanId());
        }
        access.add(line.end());
    }

    /** Counts what a handler sends, and keeps the first message (a unary call's response). */
    private static final class CountingSink<R> implements Sink<R> {
        private final Sink<R> delegate;
        private long count;
        private R first;

        CountingSink(Sink<R> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void send(R item) {
            if (count++ == 0) {
                first = item;
            }
            delegate.send(item);
        }
    }

    /** One route's meters by (namespace label, code), created on first use. */
    private static final class RouteMeters {
        private record Key(String namespace, Code code, String transport) {
        }

        private record Meters(Timer op, Timer rpc, DistributionSummary size, DistributionSummary topScore) {
        }

        private final Route<?, ?> route;
        private final MeterRegistry registry;
        private final Map<Key, Meters> meters = new ConcurrentHashMap<>();
        /** How a unary response counts: its first repeated field's size, a found/existed/held flag, else 1. */
        private final FieldDescriptor counted;
        private final boolean search;

        RouteMeters(Route<?, ?> route, MeterRegistry registry) {
            this.route = route;
            this.registry = registry;
            var fields = route.responsePrototype().getDescriptorForType().getFields();
            this.counted = fields.stream().filter(f -> f.isRepeated() && !f.isMapField()).findFirst()
                    .or(() -> fields.stream().filter(f -> f.getType() == FieldDescriptor.Type.BOOL
                            && Set.of("found", "existed", "held").contains(f.getName())).findFirst())
                    .orElse(null);
            this.search = route.fullName().equals("memsidecar.semantic.v1.Semantic/Search");
        }

        void record(String namespace, Code code, String transport, long nanos, CountingSink<?> sink) {
            Meters m = meters.computeIfAbsent(new Key(namespace, code, transport), this::create);
            m.op().record(nanos, TimeUnit.NANOSECONDS);
            m.rpc().record(nanos, TimeUnit.NANOSECONDS);
            if (code != Code.OK) {
                return;
            }
            Object first = sink.first;
            m.size().record(route.kind() == io.memsidecar.core.Kind.SERVER_STREAMING || !(first instanceof Message msg)
                    ? sink.count : size(msg));
            if (search && first instanceof Message msg && msg.getRepeatedFieldCount(counted) > 0) {
                Message hit = (Message) msg.getRepeatedField(counted, 0);
                m.topScore().record(((Number) hit.getField(hit.getDescriptorForType().findFieldByName("score"))).doubleValue());
            }
        }

        private long size(Message response) {
            if (counted == null) {
                return 1;
            }
            return counted.isRepeated() ? response.getRepeatedFieldCount(counted) : (boolean) response.getField(counted) ? 1 : 0;
        }

        private Meters create(Key k) {
            String block = route.op().block();
            String op = route.op().verb();
            return new Meters(
                    Timer.builder("memsidecar.op.duration").description("server-side time of a call")
                            .tags("block", block, "op", op, "op_class", route.op().write() ? "write" : "query",
                                    "namespace", k.namespace(), "code", k.code().name())
                            .serviceLevelObjectives(BUCKETS).register(registry),
                    Timer.builder("rpc.server.duration").description("duration of inbound RPCs")
                            .tags("rpc.system", k.transport().startsWith("grpc") ? "grpc" : "http", "rpc.service",
                                    route.service(), "rpc.method", route.method(), "rpc.grpc.status_code",
                                    Integer.toString(k.code().grpcValue()))
                            .serviceLevelObjectives(BUCKETS).register(registry),
                    DistributionSummary.builder("memsidecar.result.size").description("records returned or affected")
                            .tags("block", block, "op", op, "namespace", k.namespace())
                            .serviceLevelObjectives(1, 5, 10, 50, 100, 500, 1000, 10000).register(registry),
                    search ? DistributionSummary.builder("memsidecar.result.top_score").description("score of the top hit")
                            .tags("block", block, "namespace", k.namespace())
                            .serviceLevelObjectives(0.1, 0.25, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1).register(registry)
                            : null);
        }
    }
}
