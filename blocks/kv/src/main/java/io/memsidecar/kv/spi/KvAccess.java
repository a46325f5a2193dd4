package io.memsidecar.kv.spi;

import io.memsidecar.core.KeyOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The KV access tier of a namespace (spec §3.7, §6.1; opt-in; the memory driver's as in the
 * original, and the sqlite driver's): {@code track} counts each Get of a key and records its time; {@code slideTtl} &gt; 0
 * moves a TTL'd key's expiry to now + slideTtl on each Get; {@code capacity} &gt; 0 caps the live
 * keys — after a Put past it, the coldest keys by heat {@code access_count · 2^(−age / heatHalfLife)}
 * (age from the last access, or from creation) are evicted, never the key just written, ties by key.
 */
public record KvAccess(boolean track, Duration slideTtl, long capacity, Duration heatHalfLife) {
    public static final Duration DEFAULT_HALF_LIFE = Duration.ofHours(1);

    public KvAccess {
        if (heatHalfLife.isZero() || heatHalfLife.isNegative()) {
            heatHalfLife = DEFAULT_HALF_LIFE;
        }
    }

    /** Whether a Get has something to record (and so needs the write lock). */
    public boolean recordsReads() {
        return track || !slideTtl.isZero();
    }

    /** A key's reads as eviction ranks them: how many, and since when its heat decays (the last read, or the creation). */
    public record Reads(String key, long count, Instant since) {
    }

    /** The keys of the {@code n} coldest {@code candidates} at {@code now}: lowest heat first, ties by key (UTF-8 order). */
    public List<String> coldest(Collection<Reads> candidates, long n, Instant now) {
        record Heat(String key, double heat) {
        }
        double halfLife = heatHalfLife.toNanos();
        return candidates.stream()
                .map(r -> new Heat(r.key(), r.count() * Math.pow(2, -Duration.between(r.since(), now).toNanos() / halfLife)))
                .sorted(Comparator.comparingDouble(Heat::heat).thenComparing(Heat::key, KeyOrder.UTF8))
                .limit(n)
                .map(Heat::key)
                .toList();
    }
}
