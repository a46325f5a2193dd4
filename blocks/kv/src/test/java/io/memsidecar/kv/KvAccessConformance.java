package io.memsidecar.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.core.Evictions;
import io.memsidecar.kv.spi.KeyAccess;
import io.memsidecar.kv.spi.KvAccess;
import io.memsidecar.kv.spi.KvStore;
import io.memsidecar.kv.spi.KvWrite;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * The KV access tier (spec §6.1) of a driver that serves it, on a clock the test moves: heat
 * eviction order and ties, the key just written surviving, sliding TTLs, and many writers at the
 * cap evicting exactly what is over it.
 */
public abstract class KvAccessConformance {
    protected final String ns = "tier-" + UUID.randomUUID();

    /** The store without a tier. */
    protected abstract KvStore store();

    /** The same store seen through {@code access}. */
    protected abstract KvStore tiered(KvAccess access);

    /** Makes {@code duration} pass on the store's clock. */
    protected abstract void advance(Duration duration);

    /** The registry the store counts its evictions in. */
    protected abstract MeterRegistry meters();

    /** Evictions counted with cause "capacity" so far. */
    private double capacityEvictions() {
        var counter = meters().find(Evictions.METRIC).tag("cause", "capacity").counter();
        return counter == null ? 0 : counter.count();
    }

    private static KvWrite v() {
        return KvWrite.of(new byte[] {1});
    }

    @Test
    void capacityEvictsTheColdestKeysButNeverTheOneJustWritten() {
        double before = capacityEvictions();
        KvStore tiered = tiered(new KvAccess(true, Duration.ZERO, 3, Duration.ofMinutes(10)));
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
        advance(Duration.ofHours(2));
        tiered.get(ns, "c");
        tiered.get(ns, "d");
        tiered.put(ns, "e", v());
        assertThat(tiered.get(ns, "a")).isEmpty();
        assertThat(tiered.get(ns, "c")).isPresent();
        assertThat(capacityEvictions() - before).isEqualTo(2);
        // an overwrite adds no key and evicts nothing
        tiered.put(ns, "e", v());
        assertThat(tiered.size(ns)).hasValue(3);
    }

    @Test
    void tiesBreakByKeyAndTheUntieredStoreNeverEvicts() {
        KvStore tiered = tiered(new KvAccess(false, Duration.ZERO, 2, Duration.ZERO));
        tiered.put(ns, "b", v());
        tiered.put(ns, "a", v());
        tiered.put(ns, "c", v());
        assertThat(tiered.get(ns, "a")).isEmpty();
        assertThat(tiered.get(ns, "b")).isPresent();
        store().put(ns, "x", v());
        store().put(ns, "y", v());
        assertThat(store().size(ns)).hasValue(4);
    }

    @Test
    void aDeletedKeyComesBackCold() {
        KvStore tiered = tiered(new KvAccess(true, Duration.ZERO, 2, Duration.ofHours(1)));
        tiered.put(ns, "a", v());
        tiered.put(ns, "b", v());
        for (int i = 0; i < 3; i++) {
            tiered.get(ns, "a");
        }
        tiered.get(ns, "b");
        tiered.delete(ns, "a", java.util.OptionalLong.empty());
        tiered.put(ns, "a", v());
        tiered.put(ns, "c", v()); // a lost its reads with its delete: a (0) is colder than b (1)
        assertThat(tiered.get(ns, "a")).isEmpty();
        assertThat(tiered.get(ns, "b")).isPresent();
    }

    @Test
    void trackedReadsAreReportedAndReportingIsNotARead() {
        KvStore tiered = tiered(new KvAccess(true, Duration.ZERO, 0, Duration.ZERO));
        tiered.put(ns, "a", v());
        tiered.put(ns, "b", v());
        assertThat(tiered.access(ns, "a")).contains(new KeyAccess(true, 0, java.util.Optional.empty()));
        tiered.get(ns, "a");
        advance(Duration.ofSeconds(5));
        tiered.multiGet(ns, List.of("a", "a", "b"));
        KeyAccess a = tiered.access(ns, "a").orElseThrow();
        assertThat(a.found()).isTrue();
        assertThat(a.count()).isEqualTo(2);
        assertThat(tiered.access(ns, "a").orElseThrow().count()).isEqualTo(2);
        assertThat(tiered.access(ns, "b").orElseThrow().count()).isEqualTo(1);
        assertThat(a.last()).as("both last read by the one MultiGet").isPresent()
                .isEqualTo(tiered.access(ns, "b").orElseThrow().last());
        assertThat(tiered.access(ns, "missing")).contains(KeyAccess.ABSENT);
        assertThat(tiered(new KvAccess(false, Duration.ofSeconds(60), 0, Duration.ZERO)).access(ns, "a"))
                .as("a tier that does not track reports nothing").isEmpty();
        assertThat(store().access(ns, "a")).isEmpty();
    }

    @Test
    void getsSlideTheTtlOfTtldKeysOnly() {
        KvStore tiered = tiered(new KvAccess(false, Duration.ofSeconds(60), 0, Duration.ZERO));
        tiered.put(ns, "ttl", v().withTtl(Duration.ofSeconds(10)));
        tiered.put(ns, "forever", v());
        for (int i = 0; i < 5; i++) {
            advance(Duration.ofSeconds(8));
            assertThat(tiered.get(ns, "ttl")).isPresent(); // 40 s past its 10 s TTL: each Get pushed it to now + 60 s
        }
        assertThat(tiered.get(ns, "forever").orElseThrow().expiresAt()).isEmpty();
        assertThat(tiered.multiGet(ns, List.of("ttl"))).hasSize(1);
        advance(Duration.ofSeconds(61));
        assertThat(tiered.get(ns, "ttl")).isEmpty();
        // the plain store does not slide
        store().put(ns, "plain", v().withTtl(Duration.ofSeconds(10)));
        advance(Duration.ofSeconds(8));
        store().get(ns, "plain");
        advance(Duration.ofSeconds(8));
        assertThat(store().get(ns, "plain")).isEmpty();
    }

    @Test
    void writersAtTheCapEvictExactlyWhatIsOverIt() throws Exception {
        int capacity = 40;
        int writers = 8;
        int each = 30;
        double before = capacityEvictions();
        KvStore tiered = tiered(new KvAccess(true, Duration.ZERO, capacity, Duration.ofMinutes(1)));
        var threads = new ArrayList<Thread>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < each; i++) {
                    tiered.put(ns, "w" + writer + "-" + i, v());
                    tiered.get(ns, "w" + ThreadLocalRandom.current().nextInt(writers) + "-" + ThreadLocalRandom.current().nextInt(i + 1));
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(tiered.size(ns)).hasValue(capacity);
        assertThat(capacityEvictions() - before).isEqualTo(writers * each - capacity);
        var live = new ArrayList<String>();
        store().scan(ns, io.memsidecar.kv.spi.KvScan.prefix(""), r -> live.add(r.key()));
        assertThat(live).hasSize(capacity);
    }
}
