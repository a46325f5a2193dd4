package io.memsidecar.kv.spi;

import java.time.Instant;
import java.util.Optional;

/** The tracked reads of one key: whether it is live, how many Gets read it, and the last one's time. */
public record KeyAccess(boolean found, long count, Optional<Instant> last) {
    public static final KeyAccess ABSENT = new KeyAccess(false, 0, Optional.empty());
}
