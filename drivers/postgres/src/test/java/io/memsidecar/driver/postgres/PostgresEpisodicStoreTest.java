package io.memsidecar.driver.postgres;

import io.memsidecar.episodic.EpisodicStoreConformance;
import io.memsidecar.episodic.spi.EpisodicStore;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresEpisodicStoreTest extends EpisodicStoreConformance {
    @RegisterExtension
    static final TestBackend DB = new TestBackend();

    @Override
    protected EpisodicStore store() {
        return DB.backend().store(EpisodicStore.class).orElseThrow();
    }
}
