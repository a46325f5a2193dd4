package io.memsidecar.core;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The {@code memsidecar.eviction.total} counter (spec §8): items a store or sweeper removed on
 * its own, by block, configured namespace and cause ({@code ttl}, {@code capacity},
 * {@code retention}).
 */
public final class Evictions {
    public static final String METRIC = "memsidecar.eviction.total";

    private final MeterRegistry registry;
    private final String block;
    private final String cause;

    public Evictions(MeterRegistry registry, String block, String cause) {
        this.registry = registry;
        this.block = block;
        this.cause = cause;
    }

    /** Counts {@code count} items of a storage namespace (tenant-qualified or not). */
    public void record(String storageNamespace, long count) {
        if (count > 0) {
            Counter.builder(METRIC).description("items removed by the server: expiry, capacity or retention")
                    .tags("block", block, "namespace", StorageNamespace.bare(storageNamespace), "cause", cause)
                    .register(registry).increment(count);
        }
    }
}
