package io.memsidecar.driver.memory;

import io.memsidecar.core.ApiException;
import io.memsidecar.core.KeyOrder;
import io.memsidecar.lease.spi.AcquireResult;
import io.memsidecar.lease.spi.Lease;
import io.memsidecar.lease.spi.LeaseStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Leases in process memory. One lock guards the table (the map is the database); waiters park
 * on a condition signalled by every release. Fencing counters outlive their leases, so tokens
 * keep increasing for a key however often it is released.
 */
final class MemoryLeaseStore implements LeaseStore {
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private final Map<String, Lease> leases = new HashMap<>();
    private final Map<String, Long> fences = new HashMap<>();

    MemoryLeaseStore(Clock clock) {
        this.clock = clock;
    }

    private static String id(String namespace, String key) {
        return namespace + '\u001e' + key;
    }

    private Optional<Lease> live(String id, Instant now) {
        Lease l = leases.get(id);
        return l != null && now.isBefore(l.expiresAt()) ? Optional.of(l) : Optional.empty();
    }

    @Override
    public AcquireResult tryAcquire(String namespace, String key, Duration ttl, Map<String, String> metadata) {
        lock.lock();
        try {
            Instant now = clock.instant();
            String id = id(namespace, key);
            Optional<Lease> current = live(id, now);
            if (current.isPresent()) {
                return AcquireResult.held(Duration.between(now, current.get().expiresAt()));
            }
            long token = fences.merge(id, 1L, Long::sum);
            Lease lease = new Lease(namespace, key, UUID.randomUUID().toString(), now, now.plus(ttl), metadata, token);
            leases.put(id, lease);
            return AcquireResult.acquired(lease);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void awaitChange(String namespace, String key, Duration max) throws InterruptedException {
        lock.lock();
        try {
            // Released between the caller's failed attempt and now: no need to wait.
            if (live(id(namespace, key), clock.instant()).isPresent()) {
                released.await(max.toNanos(), TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Lease renew(String namespace, String key, String holderId, Duration ttl) {
        lock.lock();
        try {
            Instant now = clock.instant();
            String id = id(namespace, key);
            Lease l = live(id, now).filter(x -> x.holderId().equals(holderId))
                    .orElseThrow(() -> ApiException.failedPrecondition("lease " + key + " not held by this holder"));
            Lease renewed = new Lease(namespace, key, holderId, l.acquiredAt(), now.plus(ttl), l.metadata(), l.fencingToken());
            leases.put(id, renewed);
            return renewed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean release(String namespace, String key, String holderId) {
        lock.lock();
        try {
            String id = id(namespace, key);
            Lease l = leases.get(id);
            if (l == null) {
                return false;
            }
            if (!l.holderId().equals(holderId)) {
                throw ApiException.failedPrecondition("lease " + key + " not held by this holder");
            }
            leases.remove(id);
            released.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Lease> inspect(String namespace, String key) {
        lock.lock();
        try {
            return live(id(namespace, key), clock.instant());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Lease> list(String namespace) {
        lock.lock();
        try {
            Instant now = clock.instant();
            return leases.values().stream()
                    .filter(l -> l.namespace().equals(namespace) && now.isBefore(l.expiresAt()))
                    .sorted((a, b) -> KeyOrder.compare(a.key(), b.key()))
                    .toList();
        } finally {
            lock.unlock();
        }
    }

    /** Drops expired leases (their fencing counters stay). */
    void sweep() {
        lock.lock();
        try {
            Instant now = clock.instant();
            leases.values().removeIf(l -> !now.isBefore(l.expiresAt()));
        } finally {
            lock.unlock();
        }
    }
}
