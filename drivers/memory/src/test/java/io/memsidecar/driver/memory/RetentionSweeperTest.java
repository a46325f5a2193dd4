package io.memsidecar.driver.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.core.Evictions;
import io.memsidecar.core.StorageNamespace;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.memsidecar.episodic.EpisodicNamespace;
import io.memsidecar.episodic.EpisodicService;
import io.memsidecar.episodic.Retention;
import io.memsidecar.episodic.RetentionSweeper;
import io.memsidecar.episodic.spi.Event;
import io.memsidecar.episodic.spi.NewEvent;
import io.memsidecar.episodic.spi.RangeQuery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RetentionSweeperTest {
    private final MutableClock clock = new MutableClock();
    private final MemoryEpisodicStore store = new MemoryEpisodicStore(clock);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private double evicted(String namespace) {
        var counter = meters.find(Evictions.METRIC).tags("block", "episodic", "namespace", namespace, "cause", "retention")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private List<Long> live(String storage) {
        var out = new ArrayList<Long>();
        store.range(storage, RangeQuery.all(), e -> out.add(e.cursor()));
        return out;
    }

    private RetentionSweeper sweeper(EpisodicNamespace ns, boolean isolation) {
        // An hour-long interval: the test drives sweepOnce itself.
        return new RetentionSweeper(new EpisodicService(Map.of(ns.name(), ns), isolation, io.memsidecar.core.Limits.DEFAULT,
                java.time.Duration.ofSeconds(60)), clock,
                new Evictions(meters, "episodic", "retention"));
    }

    @Test
    void maxItemsKeepsTheNewestEventsInBatches() {
        var ns = new EpisodicNamespace("events", store,
                Optional.of(new Retention(Optional.empty(), OptionalLong.of(3), true, Duration.ofHours(1))));
        for (int i = 0; i < 2500; i++) {
            store.append("events", NewEvent.of("e", "x"));
        }
        try (var sweeper = sweeper(ns, false)) {
            assertThat(sweeper.sweepOnce(ns)).isEqualTo(2497);
        }
        assertThat(live("events")).containsExactly(2498L, 2499L, 2500L);
        assertThat(evicted("events")).isEqualTo(2497);
        assertThat(store.append("events", NewEvent.of("e", "x")).cursor()).isEqualTo(2501);
    }

    @Test
    void maxAgeSoftDeletesOldEventsOfEveryTenant() {
        var ns = new EpisodicNamespace("events", store,
                Optional.of(new Retention(Optional.of(Duration.ofMinutes(10)), OptionalLong.empty(), false, Duration.ofHours(1))));
        String a = "acme" + StorageNamespace.SEPARATOR + "events";
        String b = "umbrella" + StorageNamespace.SEPARATOR + "events";
        store.append(a, NewEvent.of("old", "x"));
        store.append(b, NewEvent.of("old", "x"));
        store.append("other" + StorageNamespace.SEPARATOR + "events-2", NewEvent.of("untouched", "x"));
        clock.advance(Duration.ofMinutes(11));
        store.append(a, NewEvent.of("new", "x"));
        try (var sweeper = sweeper(ns, true)) {
            assertThat(sweeper.sweepOnce(ns)).isEqualTo(2);
        }
        assertThat(live(a)).containsExactly(2L);
        assertThat(live(b)).isEmpty();
        var all = new ArrayList<Event>();
        store.range(b, RangeQuery.after(0, 0), all::add);
        assertThat(all).singleElement().satisfies(e -> assertThat(e.deletedAt()).isPresent());
        assertThat(live("other" + StorageNamespace.SEPARATOR + "events-2")).hasSize(1);
        assertThat(evicted("events")).as("both tenants under the configured name").isEqualTo(2);
    }
}
