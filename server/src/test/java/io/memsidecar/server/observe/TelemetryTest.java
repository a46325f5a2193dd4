package io.memsidecar.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TelemetryTest {
    private static String scrape(boolean virtualThreadEvents) {
        var config = new TelemetryConfig(new TelemetryConfig.Metrics("prometheus", ":0", "/metrics", Optional.empty(),
                virtualThreadEvents), new TelemetryConfig.Tracing("none", 1.0, Optional.empty()));
        try (var telemetry = Telemetry.start(config)) {
            return telemetry.prometheus().orElseThrow().scrape();
        }
    }

    @Test
    void carriersWithoutTheJfrRecordingByDefault() {
        String metrics = scrape(false);
        // the scheduler's MXBean, read without the platform MBean server (JDK 24+; the build runs on 25)
        assertThat(metrics).contains("jvm_threads_virtual_carriers ", "jvm_threads_virtual_queued ",
                "jvm_threads_live_threads ");
        assertThat(metrics).doesNotContain("jvm_threads_virtual_pinned");
    }

    @Test
    void pinnedAndSubmitFailedWhenAskedFor() {
        assertThat(scrape(true)).contains("jvm_threads_virtual_pinned_seconds", "jvm_threads_virtual_submit_failed");
    }
}
