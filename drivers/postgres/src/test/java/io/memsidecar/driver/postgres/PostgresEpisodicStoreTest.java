package io.memsidecar.driver.postgres;

import io.memsidecar.episodic.EpisodicStoreConformance;
import io.memsidecar.episodic.spi.EpisodicStore;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class PostgresEpisodicStoreTest extends EpisodicStoreConformance {
    private static PostgresBackend backend;

    @BeforeAll
    static void open() {
        backend = TestDatabase.open(Map.of("sweeper_interval", "0"));
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    @Override
    protected EpisodicStore store() {
        return backend.store(EpisodicStore.class).orElseThrow();
    }
}
