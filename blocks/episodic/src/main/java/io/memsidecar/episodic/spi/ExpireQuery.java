package io.memsidecar.episodic.spi;

import java.time.Instant;
import java.util.Optional;

/**
 * Events strictly below {@code beforeCursor} (0 = no bound) and/or strictly before
 * {@code beforeTime}, oldest first, at most {@code maxRows}; soft delete touches live events only.
 */
public record ExpireQuery(long beforeCursor, Optional<Instant> beforeTime, boolean hard, int maxRows) {
}
