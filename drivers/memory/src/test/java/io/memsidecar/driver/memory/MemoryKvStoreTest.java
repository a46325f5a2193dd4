package io.memsidecar.driver.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.core.Evictions;
import io.memsidecar.kv.KvStoreConformance;
import io.memsidecar.kv.spi.KvAccess;
import io.memsidecar.kv.spi.KvStore;
import io.memsidecar.kv.spi.KvWrite;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

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

    private static KvWrite v() {
        return KvWrite.of(new byte[] {1});
    }

    @Test
    void capacityEvictsTheColdestKeysButNeverTheOneJustWritten() {
        KvStore tiered = store.withAccess(new KvAccess(true, Duration.ZERO, 3, Duration.ofMinutes(10)));
        for (String k : List.of("a", "b", "c")) {
            tiered.put(ns, k, v());
        }
        for (int i = 0; i < 5; i++) {
            tiered.get(ns, "a");
        }
        tiered.get(ns, "c");
        tiered.put(ns, "d", v()); // 4 > 3: b (never read) goes; d, just written, stays
        assertThat(tiered.size(ns)).hasValue(3);
        assertThat(tiered.get(ns, "b")).isEmpty();
        assertThat(tiered.get(ns, "d")).isPresent();

        // heat decays with age: a's 5 old reads fall below c's fresh ones
        clock.advance(Duration.ofHours(2));
        tiered.get(ns, "c");
        tiered.get(ns, "d");
        tiered.put(ns, "e", v());
        assertThat(tiered.get(ns, "a")).isEmpty();
        assertThat(tiered.get(ns, "c")).isPresent();
        assertThat(meters.get(Evictions.METRIC).tag("cause", "capacity").counter().count()).isEqualTo(2);
        // an overwrite adds no key and evicts nothing
        tiered.put(ns, "e", v());
        assertThat(tiered.size(ns)).hasValue(3);
    }

    @Test
    void tiesBreakByKeyAndTheUntieredStoreNeverEvicts() {
        KvStore tiered = store.withAccess(new KvAccess(false, Duration.ZERO, 2, Duration.ZERO));
        tiered.put(ns, "b", v());
        tiered.put(ns, "a", v());
        tiered.put(ns, "c", v());
        assertThat(tiered.get(ns, "a")).isEmpty();
        assertThat(tiered.get(ns, "b")).isPresent();
        store.put(ns, "x", v());
        store.put(ns, "y", v());
        assertThat(store.size(ns)).hasValue(4);
    }

    @Test
    void getsSlideTheTtlOfTtldKeysOnly() {
        KvStore tiered = store.withAccess(new KvAccess(false, Duration.ofSeconds(60), 0, Duration.ZERO));
        tiered.put(ns, "ttl", v().withTtl(Duration.ofSeconds(10)));
        tiered.put(ns, "forever", v());
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(8));
            assertThat(tiered.get(ns, "ttl")).isPresent(); // 40 s past its 10 s TTL: each Get pushed it to now + 60 s
        }
        assertThat(tiered.get(ns, "forever").orElseThrow().expiresAt()).isEmpty();
        clock.advance(Duration.ofSeconds(61));
        assertThat(tiered.get(ns, "ttl")).isEmpty();
        // the plain store does not slide
        store.put(ns, "plain", v().withTtl(Duration.ofSeconds(10)));
        clock.advance(Duration.ofSeconds(8));
        store.get(ns, "plain");
        clock.advance(Duration.ofSeconds(8));
        assertThat(store.get(ns, "plain")).isEmpty();
    }
}
