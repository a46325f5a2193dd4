package io.memsidecar.driver.memory;

import io.memsidecar.core.ApiException;
import io.memsidecar.core.Evictions;
import io.memsidecar.core.KeyOrder;
import io.memsidecar.kv.spi.AccessTierView;
import io.memsidecar.kv.spi.AccessTiered;
import io.memsidecar.kv.spi.KeyAccess;
import io.memsidecar.kv.spi.KvAccess;
import io.memsidecar.kv.spi.KvRecord;
import io.memsidecar.kv.spi.KvScan;
import io.memsidecar.kv.spi.KvStore;
import io.memsidecar.kv.spi.KvTxn;
import io.memsidecar.kv.spi.KvWrite;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
final class MemoryKvStore implements KvStore, AccessTiered {
    private final Clock clock;
    private final Evictions capacityEvictions;
    private final ConcurrentHashMap<String, Space> spaces = new ConcurrentHashMap<>();

    MemoryKvStore(Clock clock, Evictions capacityEvictions) {
        this.clock = clock;
        this.capacityEvictions = capacityEvictions;
    }

    private static final class Space {
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        final TreeMap<String, KvRecord> keys = new TreeMap<>(KeyOrder.UTF8);
        /** The access tier's per-key counts and last access, for keys read through a tiered view. */
        final HashMap<String, Stat> stats = new HashMap<>();
    }

    private static final class Stat {
        long count;
        Instant last;
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
        var sorted = distinctSorted(keys);
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

    /** MultiGet's keys: duplicates dropped, in UTF-8 byte order. */
    private static TreeSet<String> distinctSorted(Collection<String> keys) {
        var sorted = new TreeSet<String>(KeyOrder.UTF8);
        sorted.addAll(keys);
        return sorted;
    }

    @Override
    public KvRecord put(String namespace, String key, KvWrite write) {
        return put(namespace, key, write, null);
    }

    /** Put, then (with an access tier) evict the coldest other keys past its capacity — all under the namespace's write lock. */
    private KvRecord put(String namespace, String key, KvWrite write, KvAccess access) {
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
            if (access != null && liveCount(s, now) > access.capacity()) {
                evictColdest(namespace, s, key, s.keys.size() - access.capacity(), access, now);
            }
            return record;
        } finally {
            s.lock.writeLock().unlock();
        }
    }

    /** Evicts the {@code count} coldest keys other than {@code kept}; caller holds the write lock. */
    private void evictColdest(String namespace, Space s, String kept, long count, KvAccess access, Instant now) {
        var reads = new ArrayList<KvAccess.Reads>();
        s.keys.forEach((k, r) -> {
            if (!k.equals(kept)) {
                Stat stat = s.stats.get(k);
                reads.add(new KvAccess.Reads(k, stat == null ? 0 : stat.count,
                        stat == null || stat.last == null ? r.createdAt() : stat.last));
            }
        });
        List<String> coldest = access.coldest(reads, count, now);
        coldest.forEach(k -> {
            s.keys.remove(k);
            s.stats.remove(k);
        });
        capacityEvictions.record(namespace, coldest.size());
    }

    /** Counts live keys, dropping expired ones (and their access stats) on the way; caller holds the write lock. */
    private static long liveCount(Space s, Instant now) {
        s.keys.values().removeIf(r -> !live(r, now));
        s.stats.keySet().retainAll(s.keys.keySet());
        return s.keys.size();
    }

    @Override
    public KvStore withAccess(KvAccess access) {
        return new AccessTierView(this, access) {
            @Override
            protected List<KvRecord> accessed(String namespace, Collection<String> keys) {
                return MemoryKvStore.this.accessed(namespace, keys, access);
            }

            @Override
            protected KvRecord putEvicting(String namespace, String key, KvWrite write) {
                return MemoryKvStore.this.put(namespace, key, write, access);
            }

            @Override
            protected KvTxn.Result txnThrough(String namespace, KvTxn txn) {
                return MemoryKvStore.this.txn(namespace, txn, this, access);
            }

            @Override
            protected KeyAccess readsOf(String namespace, String key) {
                Space s = space(namespace);
                Instant now = clock.instant();
                s.lock.readLock().lock();
                try {
                    KvRecord r = s.keys.get(key);
                    if (r == null || !live(r, now)) {
                        return KeyAccess.ABSENT;
                    }
                    Stat stat = s.stats.get(key);
                    return stat == null ? new KeyAccess(true, 0, Optional.empty())
                            : new KeyAccess(true, stat.count, Optional.ofNullable(stat.last));
                } finally {
                    s.lock.readLock().unlock();
                }
            }
        };
    }

    /** Live records of {@code keys} (in their order), counted and their TTL slid, under the write lock. */
    private List<KvRecord> accessed(String namespace, Collection<String> keys, KvAccess access) {
        Space s = space(namespace);
        s.lock.writeLock().lock();
        try {
            Instant now = clock.instant();
            var out = new ArrayList<KvRecord>();
            for (String key : keys) {
                KvRecord r = s.keys.get(key);
                if (r == null || !live(r, now)) {
                    continue;
                }
                if (access.track()) {
                    Stat stat = s.stats.computeIfAbsent(key, k -> new Stat());
                    stat.count++;
                    stat.last = now;
                }
                if (!access.slideTtl().isZero() && r.expiresAt().isPresent()) {
                    r = new KvRecord(r.key(), r.value(), r.contentType(), r.metadata(), r.version(), r.createdAt(),
                            Optional.of(now.plus(access.slideTtl())));
                    s.keys.put(key, r);
                }
                out.add(r);
            }
            return out;
        } finally {
            s.lock.writeLock().unlock();
        }
    }

    @Override
    public KvTxn.Result txn(String namespace, KvTxn txn) {
        return txn(namespace, txn, this, null);
    }

    /**
     * A transaction under the namespace's write lock (reentrant: the single-key calls it makes
     * through {@code ops}, this store or its access-tier view, join it). A failure restores the
     * keys it names, or the whole namespace when its puts may have evicted others.
     */
    private KvTxn.Result txn(String namespace, KvTxn txn, KvStore ops, KvAccess access) {
        Space s = space(namespace);
        s.lock.writeLock().lock();
        try {
            boolean evicts = access != null && access.capacity() > 0 && txn.writes();
            var keysBefore = evicts ? new TreeMap<>(s.keys) : null;
            var statsBefore = evicts ? new HashMap<>(s.stats) : null;
            var named = new HashMap<String, KvRecord>();
            txn.keys().forEach(k -> named.put(k, s.keys.get(k)));
            try {
                return txn.run(KvTxn.section(namespace, this, ops));
            } catch (RuntimeException e) {
                if (evicts) {
                    s.keys.clear();
                    s.keys.putAll(keysBefore);
                    s.stats.clear();
                    s.stats.putAll(statsBefore);
                } else {
                    named.forEach((k, r) -> {
                        if (r == null) {
                            s.keys.remove(k);
                        } else {
                            s.keys.put(k, r);
                        }
                    });
                }
                throw e;
            }
        } finally {
            s.lock.writeLock().unlock();
        }
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
                s.stats.remove(key);
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
    void sweep(Evictions expired) {
        Instant now = clock.instant();
        spaces.forEach((namespace, s) -> {
            s.lock.writeLock().lock();
            try {
                int before = s.keys.size();
                s.keys.values().removeIf(r -> !live(r, now));
                s.stats.keySet().retainAll(s.keys.keySet());
                expired.record(namespace, before - s.keys.size());
            } finally {
                s.lock.writeLock().unlock();
            }
        });
    }
}
