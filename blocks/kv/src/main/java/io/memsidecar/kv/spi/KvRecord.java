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
        return withValue(new byte[0]);
    }

    /** The same record with another value (the plaintext of a sealed one, or its sealed bytes). */
    public KvRecord withValue(byte[] other) {
        return new KvRecord(key, other, contentType, metadata, version, createdAt, expiresAt);
    }
}
