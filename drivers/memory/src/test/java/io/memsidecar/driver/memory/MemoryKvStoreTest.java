package io.memsidecar.driver.memory;

import io.memsidecar.kv.KvStoreConformance;
import io.memsidecar.kv.spi.KvStore;
import java.time.Duration;

class MemoryKvStoreTest extends KvStoreConformance {
    private final MutableClock clock = new MutableClock();
    private final MemoryKvStore store = new MemoryKvStore(clock);

    @Override
    protected KvStore store() {
        return store;
    }

    @Override
    protected void advance(Duration duration) {
        clock.advance(duration);
    }
}
