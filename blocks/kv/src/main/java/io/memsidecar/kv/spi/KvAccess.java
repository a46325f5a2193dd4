package io.memsidecar.kv.spi;

import java.time.Duration;

/**
 * The KV access tier of a namespace (spec §3.7, §6.1; opt-in, the memory driver's as in the
 * original): {@code track} counts each Get of a key and records its time; {@code slideTtl} &gt; 0
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
}
