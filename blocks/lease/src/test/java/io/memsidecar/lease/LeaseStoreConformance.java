package io.memsidecar.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memsidecar.core.ApiException;
import io.memsidecar.core.Code;
import io.memsidecar.lease.spi.AcquireResult;
import io.memsidecar.lease.spi.Lease;
import io.memsidecar.lease.spi.LeaseStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The lease contract every driver passes (spec §2.6, §6.5, plus fencing tokens). */
public abstract class LeaseStoreConformance {
    protected final String ns = "conf-" + UUID.randomUUID();
    private static final Duration TTL = Duration.ofSeconds(30);

    protected abstract LeaseStore store();

    /** Makes {@code duration} pass for the leases of {@link #ns}, without sleeping. */
    protected abstract void advance(Duration duration);

    private Lease acquire(String key) {
        AcquireResult r = store().tryAcquire(ns, key, TTL, Map.of("owner", "test"));
        assertThat(r.lease()).as("acquire %s", key).isPresent();
        return r.lease().get();
    }

    private static void assertCode(Runnable call, Code code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    @Test
    void acquireInspectListAndRelease() {
        Lease l = acquire("job");
        assertThat(l.holderId()).isNotEmpty();
        assertThat(Duration.between(l.acquiredAt(), l.expiresAt())).isEqualTo(TTL);
        assertThat(l.metadata()).containsEntry("owner", "test");
        assertThat(store().inspect(ns, "job")).hasValueSatisfying(i -> {
            assertThat(i.holderId()).isEqualTo(l.holderId());
            assertThat(i.fencingToken()).isEqualTo(l.fencingToken());
        });
        acquire("a-first");
        assertThat(store().list(ns)).extracting(Lease::key).containsExactly("a-first", "job");
        assertThat(store().release(ns, "job", l.holderId())).isTrue();
        assertThat(store().inspect(ns, "job")).isEmpty();
        assertThat(store().release(ns, "job", l.holderId())).isFalse();
        assertThat(store().list(ns + "-other")).isEmpty();
    }

    @Test
    void aHeldKeyReportsHowLongItIsHeld() {
        acquire("job");
        advance(Duration.ofSeconds(10));
        AcquireResult r = store().tryAcquire(ns, "job", TTL, Map.of());
        assertThat(r.lease()).isEmpty();
        assertThat(r.heldFor()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void anExpiredLeaseIsTakenOverWithANewHolderAndAHigherToken() {
        Lease first = acquire("job");
        advance(TTL.plusSeconds(1));
        assertThat(store().inspect(ns, "job")).isEmpty();
        assertThat(store().list(ns)).isEmpty();
        Lease second = acquire("job");
        assertThat(second.holderId()).isNotEqualTo(first.holderId());
        assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
        assertThat(second.acquiredAt()).isAfter(first.acquiredAt());
        assertCode(() -> store().renew(ns, "job", first.holderId(), TTL), Code.FAILED_PRECONDITION);
        assertCode(() -> store().release(ns, "job", first.holderId()), Code.FAILED_PRECONDITION);
    }

    @Test
    void renewExtendsOnlyALiveLeaseOfTheSameHolder() {
        Lease l = acquire("job");
        advance(Duration.ofSeconds(20));
        Lease before = store().inspect(ns, "job").orElseThrow();
        Lease renewed = store().renew(ns, "job", l.holderId(), TTL);
        assertThat(renewed.expiresAt()).isAfter(before.expiresAt());
        assertThat(renewed.fencingToken()).isEqualTo(l.fencingToken());
        assertThat(renewed.acquiredAt()).isEqualTo(before.acquiredAt());
        advance(Duration.ofSeconds(20));
        assertThat(store().inspect(ns, "job")).isPresent();
        assertCode(() -> store().renew(ns, "job", "someone-else", TTL), Code.FAILED_PRECONDITION);
        advance(TTL);
        assertCode(() -> store().renew(ns, "job", l.holderId(), TTL), Code.FAILED_PRECONDITION);
        assertCode(() -> store().renew(ns, "never", l.holderId(), TTL), Code.FAILED_PRECONDITION);
    }

    @Test
    void releaseByAnotherHolderFailsAndKeepsTheLease() {
        Lease l = acquire("job");
        assertCode(() -> store().release(ns, "job", "intruder"), Code.FAILED_PRECONDITION);
        assertThat(store().inspect(ns, "job")).hasValueSatisfying(i -> assertThat(i.holderId()).isEqualTo(l.holderId()));
    }

    @Test
    void fencingTokensStrictlyIncreaseAcrossReleasesAndTakeovers() {
        long last = 0;
        for (int i = 0; i < 5; i++) {
            Lease l = acquire("job");
            assertThat(l.fencingToken()).isGreaterThan(last);
            last = l.fencingToken();
            if (i % 2 == 0) {
                store().release(ns, "job", l.holderId());
            } else {
                advance(TTL.plusSeconds(1));
            }
        }
        assertThat(acquire("other-key").fencingToken()).isPositive();
    }

    @Test
    void aWaiterWakesWhenTheLeaseIsReleased() throws Exception {
        Lease l = acquire("job");
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var started = new CountDownLatch(1);
            Future<?> waiter = pool.submit(() -> {
                started.countDown();
                store().awaitChange(ns, "job", Duration.ofMinutes(10));
                return null;
            });
            started.await();
            Thread.sleep(50); // let the waiter park; a release before it parks is also fine: it retries
            store().release(ns, "job", l.holderId());
            // Returns on the signal, long before its 10-minute maximum.
            waiter.get(60, TimeUnit.SECONDS);
        }
        assertThat(store().tryAcquire(ns, "job", TTL, Map.of()).lease()).isPresent();
    }

    @Test
    void exactlyOneOfRacingAcquirersWins() throws Exception {
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int round = 0; round < 10; round++) {
                String key = "race-" + round;
                var start = new CountDownLatch(1);
                var futures = new ArrayList<Future<Boolean>>();
                for (int i = 0; i < 8; i++) {
                    futures.add(pool.submit(() -> {
                        start.await();
                        return store().tryAcquire(ns, key, TTL, Map.of()).lease().isPresent();
                    }));
                }
                start.countDown();
                int winners = 0;
                for (Future<Boolean> f : futures) {
                    winners += f.get() ? 1 : 0;
                }
                assertThat(winners).as("round %d", round).isEqualTo(1);
            }
        }
        List<Lease> all = store().list(ns);
        assertThat(all).hasSize(10);
    }
}
