package io.memsidecar.driver.memory;

import io.memsidecar.core.ApiException;
import io.memsidecar.core.KeyOrder;
import io.memsidecar.kv.spi.KvRecord;
import io.memsidecar.kv.spi.KvScan;
import io.memsidecar.kv.spi.KvStore;
import io.memsidecar.kv.spi.KvWrite;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * KV in process memory. Here the map is the database, so its per-namespace lock is what makes a
 * Put atomic. Expired keys are invisible at once and removed lazily by writers and
 * {@link #sweep()}.
 */
final class MemoryKvStore implements KvStore {
    private final Clock clock;
    private final ConcurrentHashMap<String, Space> spaces = new ConcurrentHashMap<>();

    MemoryKvStore(Clock clock) {
        this.clock = clock;
    }

    private static final class Space {
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        final TreeMap<String, KvRecord> keys = new TreeMap<>(KeyOrder.UTF8);
    }

    private Space space(String namespace) {
        return spaces.computeIfAbsent(namespace, n -> new Space());
    }

    private static boolean live(KvRecord r, Instant now) {
        return r.expiresAt().map(now::isBefore).orElse(true);
    }

    @Override
    public Optional<KvRecord> get(String namespace, String key) {
        Space s = space(namespace);
        Instant now = clock.instant();
        s.lock.readLock().lock();
        try {
            return Optional.ofNullable(s.keys.get(key)).filter(r -> live(r, now));
        } finally {
            s.lock.readLock().unlock();
        }
    }

    @Override
    public List<KvRecord> multiGet(String namespace, Collection<String> keys) {
        Space s = space(namespace);
        Instant now = clock.instant();
        var sorted = new TreeSet<String>(KeyOrder.UTF8);
        sorted.addAll(keys);
        var out = new ArrayList<KvRecord>(sorted.size());
        s.lock.readLock().lock();
        try {
            for (String key : sorted) {
                KvRecord r = s.keys.get(key);
                if (r != null && live(r, now)) {
                    out.add(r);
                }
            }
        } finally {
            s.lock.readLock().unlock();
        }
        return out;
    }

    @Override
    public KvRecord put(String namespace, String key, KvWrite write) {
        Space s = space(namespace);
        s.lock.writeLock().lock();
        try {
            Instant now = clock.instant();
            KvRecord current = s.keys.get(key);
            if (current != null && !live(current, now)) {
                s.keys.remove(key);
                current = null;
            }
            long stored = current == null ? 0 : current.version();
            if (write.ifVersion().isPresent() && write.ifVersion().getAsLong() != stored) {
                throw ApiException.failedPrecondition("version mismatch");
            }
            if (current == null && write.maxItems() > 0 && liveCount(s, now) >= write.maxItems()) {
                throw ApiException.resourceExhausted(
                        "namespace quota of " + write.maxItems() + " items reached");
            }
            var record = new KvRecord(key, write.value().clone(), write.contentType(), write.metadata(),
                    stored + 1, current == null ? now : current.createdAt(), write.ttl().map(now::plus));
            s.keys.put(key, record);
            return record;
        } finally {
            s.lock.writeLock().unlock();
        }
    }

    /** Counts live keys, dropping expired ones on the way; caller holds the write lock. */
    private static long liveCount(Space s, Instant now) {
        s.keys.values().removeIf(r -> !live(r, now));
        return s.keys.size();
    }

    @Override
    public boolean delete(String namespace, String key, OptionalLong ifVersion) {
        Space s = space(namespace);
        s.lock.writeLock().lock();
        try {
            KvRecord current = s.keys.get(key);
            boolean isLive = current != null && live(current, clock.instant());
            long stored = isLive ? current.version() : 0;
            if (ifVersion.isPresent() && ifVersion.getAsLong() != stored) {
                throw ApiException.failedPrecondition("version mismatch");
            }
            if (current != null) {
                s.keys.remove(key);
            }
            return isLive;
        } finally {
            s.lock.writeLock().unlock();
        }
    }

    @Override
    public void scan(String namespace, KvScan scan, Consumer<KvRecord> sink) {
        Space s = space(namespace);
        Instant now = clock.instant();
        List<KvRecord> page;
        s.lock.readLock().lock();
        try {
            // Snapshot under the lock; the sink (a network write) runs without it.
            var tail = KeyOrder.compare(scan.prefix(), scan.startAfter()) > 0
                    ? s.keys.tailMap(scan.prefix(), true)
                    : s.keys.tailMap(scan.startAfter(), false);
            page = new ArrayList<>();
            for (Map.Entry<String, KvRecord> e : tail.entrySet()) {
                if (scan.limit() > 0 && page.size() >= scan.limit()) {
                    break;
                }
                if (!e.getKey().startsWith(scan.prefix())) {
                    break;
                }
                if (live(e.getValue(), now)) {
                    page.add(e.getValue());
                }
            }
        } finally {
            s.lock.readLock().unlock();
        }
        for (KvRecord r : page) {
            sink.accept(scan.includeValues() ? r : r.withoutValue());
        }
    }

    @Override
    public OptionalLong size(String namespace) {
        Space s = space(namespace);
        Instant now = clock.instant();
        s.lock.readLock().lock();
        try {
            return OptionalLong.of(s.keys.values().stream().filter(r -> live(r, now)).count());
        } finally {
            s.lock.readLock().unlock();
        }
    }

    /** Removes expired keys of every namespace; run periodically by the backend. */
    void sweep(io.memsidecar.core.Evictions expired) {
        Instant now = clock.instant();
        spaces.forEach((namespace, s) -> {
            s.lock.writeLock().lock();
            try {
                int before = s.keys.size();
                s.keys.values().removeIf(r -> !live(r, now));
                expired.record(namespace, before - s.keys.size());
            } finally {
                s.lock.writeLock().unlock();
            }
        });
    }
}
