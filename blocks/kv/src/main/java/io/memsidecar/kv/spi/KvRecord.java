package io.memsidecar.kv.spi;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** A live key as a driver returns it. {@code value} is empty when a scan asked for no values. */
public record KvRecord(String key,
                       byte[] value,
                       String contentType,
                       Map<String, String> metadata,
                       long version,
                       Instant createdAt,
                       Optional<Instant> expiresAt) {
    public KvRecord {
        metadata = Map.copyOf(metadata);
    }

    public KvRecord withoutValue() {
        return new KvRecord(key, new byte[0], contentType, metadata, version, createdAt, expiresAt);
    }
}
