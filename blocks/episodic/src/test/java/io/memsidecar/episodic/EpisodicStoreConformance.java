package io.memsidecar.episodic;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.episodic.spi.EpisodicStore;
import io.memsidecar.episodic.spi.Event;
import io.memsidecar.episodic.spi.ExpireQuery;
import io.memsidecar.episodic.spi.NewEvent;
import io.memsidecar.episodic.spi.RangeQuery;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The episodic contract every driver passes (spec §2.3, §6.2). */
public abstract class EpisodicStoreConformance {
    protected final String ns = "conf-" + UUID.randomUUID();

    protected abstract EpisodicStore store();

    private Event append(String type) {
        return store().append(ns, NewEvent.of(type, type + "-payload"));
    }

    private Event append(NewEvent e) {
        return store().append(ns, e);
    }

    private List<Event> range(RangeQuery q) {
        var out = new ArrayList<Event>();
        store().range(ns, q, out::add);
        return out;
    }

    private static RangeQuery query() {
        return RangeQuery.all();
    }

    private static NewEvent event(String type, String role, String session) {
        return new NewEvent(type, new byte[0], Map.of(), role, session, Optional.empty(), List.of(), "");
    }

    @Test
    void appendAssignsIncreasingCursorsFromOneAndRoundTripsFields() {
        var e = new NewEvent("message", "hi".getBytes(StandardCharsets.UTF_8), Map.of("k", "v"), "user", "s1",
                Optional.empty(), List.of(), "agent-x");
        Event first = append(e);
        Event second = append("tool_call");
        assertThat(first.cursor()).isEqualTo(1);
        assertThat(second.cursor()).isEqualTo(2);
        assertThat(first.id()).isNotEqualTo(second.id());
        Event read = range(query()).getFirst();
        assertThat(new String(read.payload(), StandardCharsets.UTF_8)).isEqualTo("hi");
        assertThat(read.metadata()).containsEntry("k", "v");
        assertThat(read.role()).isEqualTo("user");
        assertThat(read.sessionId()).isEqualTo("s1");
        assertThat(read.source()).isEqualTo("agent-x");
        assertThat(read.deletedAt()).isEmpty();
        assertThat(store().lastCursor(ns)).isEqualTo(2);
        assertThat(store().lastCursor(ns + "-empty")).isZero();
    }

    @Test
    void dedupKeyReturnsTheStoredEventAndUsesNoCursor() {
        var withKey = new NewEvent("message", new byte[] {1}, Map.of(), "", "", Optional.of("req-1"), List.of(), "");
        Event first = append(withKey);
        Event again = append(withKey);
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.cursor()).isEqualTo(first.cursor());
        assertThat(append("next").cursor()).isEqualTo(first.cursor() + 1);
        assertThat(range(query())).hasSize(2);
    }

    @Test
    void supersedesTombstonesLiveEventsInTheSameAppend() {
        Event old = append("fact");
        Event other = append("fact");
        var replacement = new NewEvent("fact", new byte[0], Map.of(), "", "", Optional.empty(),
                List.of(old.id(), "no-such-id", old.id()), "");
        Event repl = append(replacement);
        assertThat(range(query())).extracting(Event::id).containsExactly(other.id(), repl.id());
        List<Event> all = range(RangeQuery.after(0, 0));
        assertThat(all.getFirst().deletedAt()).hasValue(repl.timestamp());
        assertThat(all.get(2).supersedes()).contains(old.id());
    }

    @Test
    void rangeFiltersOrdersAndLimits() {
        append(event("message", "user", "s1"));
        append(event("tool_call", "assistant", "s1"));
        append(event("message", "assistant", "s2"));
        append(event("message", "user", "s1"));
        assertThat(range(query())).extracting(Event::cursor).containsExactly(1L, 2L, 3L, 4L);
        assertThat(range(new RangeQuery(1, 4, 0, false, Optional.empty(), Optional.empty(), false, "", "", "")))
                .extracting(Event::cursor).containsExactly(2L, 3L);
        assertThat(range(new RangeQuery(0, 0, 1, true, Optional.empty(), Optional.empty(), false, "", "", "")))
                .extracting(Event::cursor).containsExactly(4L);
        assertThat(range(new RangeQuery(2, 0, 0, true, Optional.empty(), Optional.empty(), false, "", "", "")))
                .extracting(Event::cursor).containsExactly(4L, 3L);
        assertThat(range(new RangeQuery(1, 4, 0, true, Optional.empty(), Optional.empty(), false, "", "", "")))
                .extracting(Event::cursor).containsExactly(3L, 2L);
        assertThat(range(new RangeQuery(0, 0, 0, false, Optional.empty(), Optional.empty(), false, "s1", "user", "message")))
                .extracting(Event::cursor).containsExactly(1L, 4L);
        assertThat(range(new RangeQuery(0, 0, 2, false, Optional.empty(), Optional.empty(), false, "", "", "message")))
                .extracting(Event::cursor).containsExactly(1L, 3L);
        Instant t3 = range(query()).get(2).timestamp();
        assertThat(range(new RangeQuery(0, 0, 0, false, Optional.of(t3.minusNanos(1000)), Optional.of(t3.plusNanos(1000)),
                false, "", "", ""))).extracting(Event::cursor).contains(3L);
    }

    @Test
    void softExpireIsIdempotentAndHardExpireNeverReusesCursors() {
        for (int i = 0; i < 5; i++) {
            append("e" + i);
        }
        assertThat(store().expire(ns, new ExpireQuery(4, Optional.empty(), false, 100))).isEqualTo(3);
        assertThat(store().expire(ns, new ExpireQuery(4, Optional.empty(), false, 100))).isZero();
        assertThat(range(query())).extracting(Event::cursor).containsExactly(4L, 5L);
        assertThat(range(new RangeQuery(0, 0, 0, false, Optional.empty(), Optional.empty(), true, "", "", ""))).hasSize(5);

        assertThat(store().expire(ns, new ExpireQuery(6, Optional.empty(), true, 2))).isEqualTo(2);
        assertThat(range(RangeQuery.after(0, 0))).extracting(Event::cursor).containsExactly(3L, 4L, 5L);
        assertThat(store().expire(ns, new ExpireQuery(6, Optional.empty(), true, 100))).isEqualTo(3);
        assertThat(range(RangeQuery.after(0, 0))).isEmpty();
        assertThat(append("after").cursor()).isEqualTo(6);
    }

    @Test
    void hardExpireFreesDedupKeysAndExpireByTimeTakesOlderEvents() {
        var keyed = new NewEvent("m", new byte[0], Map.of(), "", "", Optional.of("k"), List.of(), "");
        Event first = append(keyed);
        sleepPastTheClockResolution();
        Event later = append("later");
        assertThat(store().expire(ns, new ExpireQuery(0, Optional.of(later.timestamp()), true, 10))).isEqualTo(1);
        Event again = append(keyed);
        assertThat(again.id()).isNotEqualTo(first.id());
        assertThat(again.cursor()).isEqualTo(3);
    }

    private static void sleepPastTheClockResolution() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void awaitAppendWakesOnAnAppend() throws Exception {
        append("first");
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var started = new CountDownLatch(1);
            Future<?> waiter = pool.submit(() -> {
                started.countDown();
                store().awaitAppend(ns, 1, Duration.ofMinutes(10));
                return null;
            });
            started.await();
            Thread.sleep(50);
            append("second");
            waiter.get(60, TimeUnit.SECONDS); // long before its 10-minute maximum
        }
    }

    @Test
    void concurrentAppendsGetDistinctContiguousCursors() throws Exception {
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new ArrayList<Future<Event>>();
            for (int i = 0; i < 200; i++) {
                futures.add(pool.submit(() -> append("c")));
            }
            var cursors = new ArrayList<Long>();
            for (Future<Event> f : futures) {
                cursors.add(f.get().cursor());
            }
            assertThat(cursors).doesNotHaveDuplicates().hasSize(200);
            assertThat(cursors.stream().mapToLong(Long::longValue).max().orElseThrow()).isEqualTo(200);
        }
        assertThat(range(query())).extracting(Event::cursor).isSorted().hasSize(200);
    }

    @Test
    void namespacesAreListed() {
        append("x");
        assertThat(store().namespaces()).contains(ns);
    }
}
