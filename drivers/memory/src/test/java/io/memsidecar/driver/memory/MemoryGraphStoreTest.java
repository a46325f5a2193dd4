package io.memsidecar.driver.memory;

import io.memsidecar.graph.GraphStoreConformance;
import io.memsidecar.graph.spi.GraphStore;
import java.time.Clock;

class MemoryGraphStoreTest extends GraphStoreConformance {
    private final MemoryGraphStore store = new MemoryGraphStore(Clock.systemUTC());

    @Override
    protected GraphStore store() {
        return store;
    }
}
