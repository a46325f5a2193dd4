package io.memsidecar.driver.memory;

import io.memsidecar.kv.KvStoreConformance;
import io.memsidecar.kv.spi.KvStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

class MemoryKvStoreTest extends KvStoreConformance {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final MemoryKvStore store = new MemoryKvStore(clock);

    @Override
    protected KvStore store() {
        return store;
    }

    @Override
    protected void advance(Duration duration) {
        now = now.plus(duration);
    }
}
