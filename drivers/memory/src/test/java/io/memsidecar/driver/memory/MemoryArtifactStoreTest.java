package io.memsidecar.driver.memory;

import io.memsidecar.artifact.ArtifactStoreConformance;
import io.memsidecar.artifact.spi.ArtifactStore;
import java.time.Clock;

class MemoryArtifactStoreTest extends ArtifactStoreConformance {
    private final MemoryArtifactStore store = new MemoryArtifactStore(Clock.systemUTC());

    @Override
    protected ArtifactStore store() {
        return store;
    }
}
