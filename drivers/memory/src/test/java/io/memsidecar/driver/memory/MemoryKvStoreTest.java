package io.memsidecar.driver.memory;

import io.memsidecar.core.Evictions;
import io.memsidecar.kv.KvAccessConformance;
import io.memsidecar.kv.KvStoreConformance;
import io.memsidecar.kv.spi.KvAccess;
import io.memsidecar.kv.spi.KvStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Nested;

class MemoryKvStoreTest extends KvStoreConformance {
    private final MutableClock clock = new MutableClock();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final MemoryKvStore store = new MemoryKvStore(clock, new Evictions(meters, "kv", "capacity"));

    @Override
    protected KvStore store() {
        return store;
    }

    @Override
    protected void advance(Duration duration) {
        clock.advance(duration);
    }

    @Nested
    class AccessTier extends KvAccessConformance {
        @Override
        protected KvStore store() {
            return store;
        }

        @Override
        protected KvStore tiered(KvAccess access) {
            return store.withAccess(access);
        }

        @Override
        protected void advance(Duration duration) {
            clock.advance(duration);
        }

        @Override
        protected MeterRegistry meters() {
            return meters;
        }
    }
}
