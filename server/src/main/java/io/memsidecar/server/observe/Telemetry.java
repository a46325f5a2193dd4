package io.memsidecar.server.observe;

import io.memsidecar.proto.Version;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.java21.instrument.binder.jdk.VirtualThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.logging.otlp.internal.traces.OtlpStdoutSpanExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.instrumentation.micrometer.v1_5.OpenTelemetryMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.lang.management.ManagementFactory;
import java.lang.management.PlatformManagedObject;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The server's metrics registry and tracer, built once from {@link TelemetryConfig}: Micrometer
 * meters (Prometheus registry for {@code /metrics}; for {@code otlp}, bridged to the OpenTelemetry
 * SDK and pushed over OTLP/gRPC by a periodic reader; a no-op registry for {@code none}) with
 * the JVM and process binders; OpenTelemetry spans (stdout as OTLP JSON lines, or OTLP/gRPC)
 * sampled parent-based by ratio, W3C trace context.
 */
public final class Telemetry implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Telemetry.class.getName());
    private static final long PAGE_SIZE = 4096;

    private final MeterRegistry registry;
    private final Optional<PrometheusMeterRegistry> prometheus;
    private final OpenTelemetrySdk sdk;
    private final boolean metrics;
    private final boolean tracing;
    private final Tracer tracer;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    private Telemetry(TelemetryConfig config) {
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
                io.opentelemetry.api.common.AttributeKey.stringKey("service.name"), "memsidecar",
                io.opentelemetry.api.common.AttributeKey.stringKey("service.version"), Version.current())));
        var otel = OpenTelemetrySdk.builder().setPropagators(
                io.opentelemetry.context.propagation.ContextPropagators.create(W3CTraceContextPropagator.getInstance()));
        this.tracing = config.tracing().enabled();
        if (tracing) {
            otel.setTracerProvider(SdkTracerProvider.builder().setResource(resource)
                    .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.tracing().sampleRatio())))
                    .addSpanProcessor(BatchSpanProcessor.builder(spanExporter(config.tracing()))
                            .setScheduleDelay(Duration.ofMillis(500)).build())
                    .build());
        }
        Optional<TelemetryConfig.Otlp> otlpMetrics = config.metrics().otlp();
        otlpMetrics.ifPresent(o -> {
            var exporter = OtlpGrpcMetricExporter.builder().setEndpoint(o.url()).setCompression(o.gzip() ? "gzip" : "none");
            o.headers().forEach(exporter::addHeader);
            otel.setMeterProvider(SdkMeterProvider.builder().setResource(resource)
                    .registerMetricReader(PeriodicMetricReader.builder(exporter.build()).setInterval(o.interval()).build())
                    .build());
        });
        this.sdk = otel.build();
        this.tracer = sdk.getTracer("memsidecar", Version.current());
        this.prometheus = config.metrics().prometheus()
                ? Optional.of(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)) : Optional.empty();
        this.registry = prometheus.<MeterRegistry>map(p -> p)
                .or(() -> otlpMetrics.map(o -> OpenTelemetryMeterRegistry.builder(sdk).build()))
                .orElseGet(CompositeMeterRegistry::new);
        this.metrics = !config.metrics().exporter().equals("none");
        if (metrics) {
            bindJvmAndProcess(config.metrics().virtualThreadEvents());
        }
    }

    public static Telemetry start(TelemetryConfig config) {
        return new Telemetry(config);
    }

    private static SpanExporter spanExporter(TelemetryConfig.Tracing config) {
        if (config.exporter().equals("stdout")) {
            return OtlpStdoutSpanExporter.builder().build();
        }
        TelemetryConfig.Otlp o = config.otlp().orElseThrow();
        var exporter = OtlpGrpcSpanExporter.builder().setEndpoint(o.url()).setCompression(o.gzip() ? "gzip" : "none");
        o.headers().forEach(exporter::addHeader);
        return exporter.build();
    }

    /** JVM (heap, GC, threads, classes), virtual threads and their carriers, CPU, open files, RSS, uptime. */
    private void bindJvmAndProcess(boolean virtualThreadEvents) {
        new JvmMemoryMetrics().bindTo(registry);
        var gc = new JvmGcMetrics();
        gc.bindTo(registry);
        closeables.add(gc);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        if (virtualThreadEvents) {
            var virtual = new VirtualThreadMetrics();
            virtual.bindTo(registry);
            closeables.add(virtual);
        }
        carrierThreads();
        Path statm = Path.of("/proc/self/statm");
        if (Files.isReadable(statm)) {
            Gauge.builder("process.memory.rss", statm, Telemetry::rss).baseUnit("bytes")
                    .description("resident set size of the process").register(registry);
        }
    }

    private static double rss(Path statm) {
        try {
            return Long.parseLong(Files.readString(statm).split(" ")[1]) * PAGE_SIZE;
        } catch (java.io.IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The virtual-thread scheduler's carriers, from its MXBean where the JDK has one (24+). */
    @SuppressWarnings("unchecked")
    private void carrierThreads() {
        // by its interface (JDK 24+, looked up by name: this builds for 21), not through the platform MBean
        // server, whose creation registers every platform MBean and costs start-up time
        Class<? extends PlatformManagedObject> type;
        try {
            type = (Class<? extends PlatformManagedObject>) Class.forName("jdk.management.VirtualThreadSchedulerMXBean");
        } catch (ClassNotFoundException e) {
            return;
        }
        Object scheduler = ManagementFactory.getPlatformMXBean(type);
        for (String[] attr : new String[][] {{"getPoolSize", "jvm.threads.virtual.carriers"},
                {"getMountedVirtualThreadCount", "jvm.threads.virtual.mounted"},
                {"getQueuedVirtualThreadCount", "jvm.threads.virtual.queued"}}) {
            Method getter;
            try {
                getter = type.getMethod(attr[0]);
            } catch (NoSuchMethodException e) {
                continue;
            }
            Gauge.builder(attr[1], () -> {
                try {
                    return ((Number) getter.invoke(scheduler)).doubleValue();
                } catch (ReflectiveOperationException e) {
                    return Double.NaN;
                }
            }).register(registry);
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    public Optional<PrometheusMeterRegistry> prometheus() {
        return prometheus;
    }

    /** Whether meters go anywhere (prometheus or otlp); with {@code none} the registry records nothing. */
    public boolean metrics() {
        return metrics;
    }

    public boolean tracing() {
        return tracing;
    }

    public Tracer tracer() {
        return tracer;
    }

    public TextMapPropagator propagator() {
        return sdk.getPropagators().getTextMapPropagator();
    }

    /** Flushes pending spans and metrics, then stops the exporters. */
    @Override
    public void close() {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "closing a metrics binder failed: " + e.getMessage());
            }
        }
        registry.close();
        sdk.close();
    }
}
