package io.memsidecar.driver.memory;

import io.memsidecar.core.spi.Backend;
import io.memsidecar.core.spi.BackendProvider;
import io.memsidecar.core.spi.BackendSpec;

/** {@code driver: memory}: no options; data lives as long as the process. */
public final class MemoryBackendProvider implements BackendProvider {
    static final String DRIVER = "memory";

    @Override
    public String driver() {
        return DRIVER;
    }

    @Override
    public Backend open(BackendSpec spec) {
        return new MemoryBackend(spec);
    }
}
