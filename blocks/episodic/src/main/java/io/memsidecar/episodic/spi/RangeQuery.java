package io.memsidecar.episodic.spi;

import java.time.Instant;
import java.util.Optional;

/**
 * Range filters, all ANDed: cursor bounds exclusive (0 = open), time bounds exclusive, equality
 * filters where non-empty, tombstoned events only with {@code includeDeleted}; ordered by cursor
 * (descending with {@code reverse}), then at most {@code limit} (0 = all).
 */
public record RangeQuery(long afterCursor,
                         long beforeCursor,
                         long limit,
                         boolean reverse,
                         Optional<Instant> afterTime,
                         Optional<Instant> beforeTime,
                         boolean includeDeleted,
                         String sessionId,
                         String role,
                         String type) {
    public static RangeQuery all() {
        return new RangeQuery(0, 0, 0, false, Optional.empty(), Optional.empty(), false, "", "", "");
    }

    /** The next page of a tail: every event, tombstoned or not, after {@code cursor}. */
    public static RangeQuery after(long cursor, long limit) {
        return new RangeQuery(cursor, 0, limit, false, Optional.empty(), Optional.empty(), true, "", "", "");
    }
}
