package io.memsidecar.semantic.spi;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One record of an upsert, validated by the service: the id is set (the service assigns UUIDs),
 * the vector has the namespace's dimensions. An empty {@code validFrom} means "now" by the
 * backend's clock. {@code deletedAt} is written as given, so a re-upsert without it resurrects a
 * tombstoned record. {@code ifVersion}: 0 = the id must not exist yet, n = the stored version
 * must be n.
 */
public record SemanticWrite(String id, String content, byte[] payload, float[] vector, Map<String, String> metadata,
                            Optional<Instant> validFrom, Optional<Instant> validTo, Optional<Instant> deletedAt,
                            List<String> supersedes, String source, OptionalLong ifVersion) {
    public SemanticWrite {
        metadata = Map.copyOf(metadata);
        supersedes = List.copyOf(supersedes);
    }

    /** A plain record: id, content, vector and metadata, everything else defaulted. */
    public static SemanticWrite of(String id, String content, float[] vector, Map<String, String> metadata) {
        return new SemanticWrite(id, content, new byte[0], vector, metadata, Optional.empty(), Optional.empty(),
                Optional.empty(), List.of(), "", OptionalLong.empty());
    }

    public SemanticWrite withValidity(Optional<Instant> from, Optional<Instant> to) {
        return new SemanticWrite(id, content, payload, vector, metadata, from, to, deletedAt, supersedes, source, ifVersion);
    }

    public SemanticWrite withSupersedes(List<String> ids) {
        return new SemanticWrite(id, content, payload, vector, metadata, validFrom, validTo, deletedAt, ids, source,
                ifVersion);
    }

    public SemanticWrite withPayload(byte[] bytes) {
        return new SemanticWrite(id, content, bytes, vector, metadata, validFrom, validTo, deletedAt, supersedes, source,
                ifVersion);
    }

    public SemanticWrite withIfVersion(long version) {
        return new SemanticWrite(id, content, payload, vector, metadata, validFrom, validTo, deletedAt, supersedes,
                source, OptionalLong.of(version));
    }
}
