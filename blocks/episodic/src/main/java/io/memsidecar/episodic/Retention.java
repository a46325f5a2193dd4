package io.memsidecar.episodic;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A namespace's retention (spec §3.7): delete events older than {@code maxAge} and/or keep only
 * the newest {@code maxItems} by cursor, every {@code interval}, hard (default) or soft.
 */
public record Retention(Optional<Duration> maxAge, OptionalLong maxItems, boolean hard, Duration interval) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(300);
}
