package io.memsidecar.lease.spi;

import java.time.Instant;
import java.util.Map;

/** A live lease. {@code fencingToken} strictly increases with each grant of (namespace, key). */
public record Lease(String namespace,
                   String key,
                   String holderId,
                   Instant acquiredAt,
                   Instant expiresAt,
                   Map<String, String> metadata,
                   long fencingToken) {
    public Lease {
        metadata = Map.copyOf(metadata);
    }
}
