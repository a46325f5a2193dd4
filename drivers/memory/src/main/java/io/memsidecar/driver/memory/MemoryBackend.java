package io.memsidecar.driver.memory;

import io.memsidecar.artifact.spi.ArtifactStore;
import io.memsidecar.core.spi.Backend;
import io.memsidecar.core.spi.BackendSpec;
import io.memsidecar.core.spi.StoreSet;
import io.memsidecar.episodic.spi.EpisodicStore;
import io.memsidecar.kv.spi.KvStore;
import io.memsidecar.lease.spi.LeaseStore;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The in-memory backend: one store per block, shared by every namespace bound to it. */
final class MemoryBackend implements Backend {
    /** The original swept every 30 s; expired keys are invisible before that anyway. */
    static final Duration SWEEP_INTERVAL = Duration.ofSeconds(30);

    private final String name;
    private final MemoryKvStore kv;
    private final MemoryLeaseStore leases;
    private final MemoryEpisodicStore episodic;
    private final Thread sweeper;
    private final StoreSet stores;

    MemoryBackend(BackendSpec spec) {
        this.name = spec.name();
        this.kv = new MemoryKvStore(spec.clock());
        this.leases = new MemoryLeaseStore(spec.clock());
        this.episodic = new MemoryEpisodicStore(spec.clock());
        this.stores = new StoreSet(Map.of(KvStore.class, kv, LeaseStore.class, leases, EpisodicStore.class, episodic,
                ArtifactStore.class, new MemoryArtifactStore(spec.clock())));
        this.sweeper = Thread.ofVirtual().name("memsidecar-sweep-" + name).start(this::sweepLoop);
    }

    private void sweepLoop() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(SWEEP_INTERVAL);
                kv.sweep();
                leases.sweep();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String driver() {
        return MemoryBackendProvider.DRIVER;
    }

    @Override
    public <T> Optional<T> store(Class<T> spi) {
        return stores.get(spi);
    }

    @Override
    public void check() {
    }

    @Override
    public void close() {
        sweeper.interrupt();
    }
}
