package io.memsidecar.core.spi;

import io.memsidecar.core.Options;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Clock;

/**
 * What a provider needs to open a backend: its config name, options, the server clock, and the
 * registry its own metrics go to (connection pools, evictions; a no-op registry when metrics
 * are off).
 */
public record BackendSpec(String name, Options options, Clock clock, MeterRegistry meters) {
    /** Without metrics: an empty composite registry records nothing. */
    public BackendSpec(String name, Options options, Clock clock) {
        this(name, options, clock, new CompositeMeterRegistry());
    }
}
