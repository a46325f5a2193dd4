package io.memsidecar.tests.bench;

import io.memsidecar.core.Call;
import io.memsidecar.core.Capability;
import io.memsidecar.core.Filter;
import io.memsidecar.core.Op;
import io.memsidecar.core.Route;
import io.memsidecar.core.Scope;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.GetResponse;
import io.memsidecar.server.observe.ObserveFilter;
import io.memsidecar.server.observe.Telemetry;
import io.memsidecar.server.observe.TelemetryConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The observe filter's own cost per call, in process: a KV-Get-shaped route whose handler does
 * nothing, wrapped by {@link ObserveFilter} with metrics and tracing off, Prometheus metrics on,
 * and metrics on with tracing sampled at 0.1 (spans exported to an unreachable OTLP endpoint, so
 * recording but no printing is measured). Access log off, as in the throughput benchmark.
 * Prints one JSON line per variant: nanoseconds per call, best of {@code --rounds}.
 */
@Command(name = "observe-cost", mixinStandardHelpOptions = true)
public final class ObserveCost implements Callable<Integer> {
    @Option(names = "--calls", defaultValue = "2000000")
    int calls;
    @Option(names = "--rounds", defaultValue = "5")
    int rounds;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ObserveCost()).execute(args));
    }

    @Override
    public Integer call() {
        var access = io.memsidecar.server.observe.AccessLog.global();
        access.redirect(java.io.OutputStream.nullOutputStream());
        access.configure(false, true, 1.0);
        var metrics = new TelemetryConfig.Metrics("prometheus", ":0", "/metrics", Optional.empty(), false);
        var noMetrics = new TelemetryConfig.Metrics("none", ":0", "/metrics", Optional.empty(), false);
        var tracing = new TelemetryConfig.Tracing("otlp", 0.1, Optional.of(new TelemetryConfig.Otlp("127.0.0.1:1", true, false,
                Map.of(), java.time.Duration.ofSeconds(60))));
        var none = new TelemetryConfig.Tracing("none", 1.0, Optional.empty());
        measure("no-filter", null);
        measure("off", new TelemetryConfig(noMetrics, none));
        access.configure(true, true, 1.0);
        measure("access-log", new TelemetryConfig(noMetrics, none));
        access.configure(false, true, 1.0);
        measure("metrics", new TelemetryConfig(metrics, none));
        measure("metrics+tracing-0.1", new TelemetryConfig(metrics, tracing));
        return 0;
    }

    private void measure(String name, TelemetryConfig config) {
        try (Telemetry telemetry = Telemetry.start(config == null ? TelemetryConfig.off() : config)) {
            Route<GetRequest, GetResponse> route = Route.unary("memsidecar.kv.v1.KV", "Get", GetRequest.getDefaultInstance(),
                    GetResponse.getDefaultInstance(), Op.read("kv", "get"), r -> Scope.of("kv", r.getNamespace()),
                    (c, r) -> GetResponse.getDefaultInstance());
            Filter filter = new ObserveFilter(telemetry, Map.of("kv", Set.of("bench")));
            var handler = config == null ? route.handler() : filter.apply(route, route.handler());
            var request = GetRequest.newBuilder().setNamespace("bench").setKey("k").build();
            var capability = new Capability("bench", "agent", "", List.of("*"), List.of("*"), Optional.empty(), "");
            long best = Long.MAX_VALUE;
            for (int round = -1; round < rounds; round++) { // round -1 warms up
                long t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    var call = new Call("grpc", Optional.empty(), () -> false);
                    call.authenticated(capability);
                    handler.handle(call, request, r -> { });
                }
                if (round >= 0) {
                    best = Math.min(best, System.nanoTime() - t0);
                }
            }
            System.out.printf("{\"op\":\"observe-%s\",\"ns_per_call\":%.0f}%n", name, best / (double) calls);
        }
    }
}
