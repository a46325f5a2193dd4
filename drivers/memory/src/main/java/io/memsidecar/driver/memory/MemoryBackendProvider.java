package io.memsidecar.driver.memory;

import io.memsidecar.artifact.spi.ArtifactStore;
import io.memsidecar.core.Evictions;
import io.memsidecar.core.spi.Backend;
import io.memsidecar.core.spi.BackendProvider;
import io.memsidecar.core.spi.BackendSpec;
import io.memsidecar.core.spi.StoreBackend;
import io.memsidecar.core.spi.StoreSet;
import io.memsidecar.episodic.spi.EpisodicStore;
import io.memsidecar.graph.spi.GraphStore;
import io.memsidecar.kv.spi.KvStore;
import io.memsidecar.lease.spi.LeaseStore;
import io.memsidecar.semantic.spi.SemanticStore;
import java.time.Duration;
import java.util.Map;

/**
 * {@code driver: memory}: no options; one store per block, shared by every namespace bound to
 * the backend; data lives as long as the process.
 */
public final class MemoryBackendProvider implements BackendProvider {
    static final String DRIVER = "memory";
    /** The original swept every 30 s; expired keys and leases are invisible before that anyway. */
    static final Duration SWEEP_INTERVAL = Duration.ofSeconds(30);

    @Override
    public String driver() {
        return DRIVER;
    }

    @Override
    public Backend open(BackendSpec spec) {
        var kv = new MemoryKvStore(spec.clock(), new Evictions(spec.meters(), "kv", "capacity"));
        var leases = new MemoryLeaseStore(spec.clock());
        var stores = new StoreSet(Map.of(KvStore.class, kv, LeaseStore.class, leases,
                EpisodicStore.class, new MemoryEpisodicStore(spec.clock()), ArtifactStore.class,
                new MemoryArtifactStore(spec.clock()), SemanticStore.class, new MemorySemanticStore(spec.clock()),
                GraphStore.class, new MemoryGraphStore(spec.clock())));
        var expired = new Evictions(spec.meters(), "kv", "ttl");
        Thread sweeper = Thread.ofVirtual().name("memsidecar-sweep-" + spec.name()).start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(SWEEP_INTERVAL);
                    kv.sweep(expired);
                    leases.sweep();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return new StoreBackend(spec.name(), DRIVER, stores, () -> { }, sweeper::interrupt);
    }
}
