package io.memsidecar.driver.memory;

import io.memsidecar.kv.spi.KvAccess;
import io.memsidecar.kv.spi.KvStore;
import java.time.Duration;

/** A namespace with the access tier (tracked Gets) still keeps the whole KV contract. */
class MemoryKvStoreTieredTest extends MemoryKvStoreTest {
    @Override
    protected KvStore store() {
        return ((MemoryKvStore) super.store()).withAccess(new KvAccess(true, Duration.ZERO, 0, Duration.ZERO));
    }
}
