package io.memsidecar.kv.spi;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One Put. {@code ttl} empty means the key never expires. {@code ifVersion} present makes the
 * write conditional (0 = "must not exist"). {@code maxItems} > 0 caps the live keys of the
 * namespace when this write would add a new one.
 */
public record KvWrite(byte[] value,
                      String contentType,
                      Map<String, String> metadata,
                      Optional<Duration> ttl,
                      OptionalLong ifVersion,
                      long maxItems) {
    public KvWrite {
        metadata = Map.copyOf(metadata);
    }

    public static KvWrite of(byte[] value) {
        return new KvWrite(value, "", Map.of(), Optional.empty(), OptionalLong.empty(), 0);
    }

    public KvWrite withValue(byte[] other) {
        return new KvWrite(other, contentType, metadata, ttl, ifVersion, maxItems);
    }

    public KvWrite withTtl(Duration newTtl) {
        return new KvWrite(value, contentType, metadata, Optional.of(newTtl), ifVersion, maxItems);
    }

    public KvWrite withIfVersion(long version) {
        return new KvWrite(value, contentType, metadata, ttl, OptionalLong.of(version), maxItems);
    }

    public KvWrite withMaxItems(long max) {
        return new KvWrite(value, contentType, metadata, ttl, ifVersion, max);
    }

    public KvWrite withContentType(String type, Map<String, String> newMetadata) {
        return new KvWrite(value, type, newMetadata, ttl, ifVersion, maxItems);
    }
}
