package io.memsidecar.driver.memory;

import io.memsidecar.episodic.EpisodicStoreConformance;
import io.memsidecar.episodic.spi.EpisodicStore;

class MemoryEpisodicStoreTest extends EpisodicStoreConformance {
    private final MemoryEpisodicStore store = new MemoryEpisodicStore(java.time.Clock.systemUTC());

    @Override
    protected EpisodicStore store() {
        return store;
    }
}
