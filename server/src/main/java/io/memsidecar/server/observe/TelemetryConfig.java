package io.memsidecar.server.observe;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The {@code metrics} and {@code tracing} sections (spec §3.2), validated. */
public record TelemetryConfig(Metrics metrics, Tracing tracing) {
    /** An OTLP/gRPC collector: host:port, plaintext or TLS, gzip or not, headers (env already resolved). */
    public record Otlp(String endpoint, boolean insecure, boolean gzip, Map<String, String> headers, Duration interval) {
        public Otlp {
            headers = Map.copyOf(headers);
        }

        /** The endpoint as a URL the exporters accept. */
        public String url() {
            return endpoint.contains("://") ? endpoint : (insecure ? "http://" : "https://") + endpoint;
        }
    }

    /**
     * {@code exporter}: prometheus | otlp | none. {@code virtualThreadEvents}: also count pinned virtual threads and
     * failed submits, from JFR events (an in-process recording: ~15 MiB and ~0.1 s of start-up, so opt-in).
     */
    public record Metrics(String exporter, String prometheusAddr, String prometheusPath, Optional<Otlp> otlp,
            boolean virtualThreadEvents) {
        public boolean prometheus() {
            return exporter.equals("prometheus");
        }
    }

    /** {@code exporter}: stdout | otlp | none; {@code sampleRatio} in (0, 1]. */
    public record Tracing(String exporter, double sampleRatio, Optional<Otlp> otlp) {
        public boolean enabled() {
            return !exporter.equals("none");
        }
    }

    public static TelemetryConfig off() {
        return new TelemetryConfig(new Metrics("none", ":9090", "/metrics", Optional.empty(), false),
                new Tracing("none", 1.0, Optional.empty()));
    }
}
