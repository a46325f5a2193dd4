package io.memsidecar.driver.memory;

import io.memsidecar.lease.LeaseStoreConformance;
import io.memsidecar.lease.spi.LeaseStore;
import java.time.Duration;

class MemoryLeaseStoreTest extends LeaseStoreConformance {
    private final MutableClock clock = new MutableClock();
    private final MemoryLeaseStore store = new MemoryLeaseStore(clock);

    @Override
    protected LeaseStore store() {
        return store;
    }

    @Override
    protected void advance(Duration duration) {
        clock.advance(duration);
    }
}
