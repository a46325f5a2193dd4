package io.memsidecar.driver.memory;

import io.memsidecar.semantic.SemanticStoreConformance;
import io.memsidecar.semantic.spi.SemanticStore;
import java.time.Clock;

class MemorySemanticStoreTest extends SemanticStoreConformance {
    private static final MemorySemanticStore STORE = new MemorySemanticStore(Clock.systemUTC());

    @Override
    protected SemanticStore store() {
        return STORE;
    }
}
