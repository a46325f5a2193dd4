package io.memsidecar.semantic.spi;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A stored record as a read returns it. {@code payload} and {@code vector} are empty unless the
 * read asked for them.
 */
public record SemanticRecord(String id, String content, byte[] payload, float[] vector, Map<String, String> metadata,
                             Instant createdAt, Instant validFrom, Optional<Instant> validTo,
                             Optional<Instant> deletedAt, List<String> supersedes, String source, long version) {
    public SemanticRecord {
        metadata = Map.copyOf(metadata);
        supersedes = List.copyOf(supersedes);
    }

    /** The lifecycle filter: not deleted, and valid at {@code t}. */
    public boolean liveAt(Instant t) {
        return deletedAt.isEmpty() && !validFrom.isAfter(t) && (validTo.isEmpty() || validTo.get().isAfter(t));
    }

    public SemanticRecord withValidTo(Instant t) {
        return new SemanticRecord(id, content, payload, vector, metadata, createdAt, validFrom, Optional.of(t), deletedAt,
                supersedes, source, version);
    }

    public SemanticRecord withDeletedAt(Instant t) {
        return new SemanticRecord(id, content, payload, vector, metadata, createdAt, validFrom, validTo, Optional.of(t),
                supersedes, source, version);
    }
}
