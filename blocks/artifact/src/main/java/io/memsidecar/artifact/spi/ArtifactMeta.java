package io.memsidecar.artifact.spi;

import java.time.Instant;
import java.util.Map;

/** A stored artifact: its size and SHA-256 (hex) as computed by the service while it streamed in. */
public record ArtifactMeta(String id, long size, String contentType, String sha256, Map<String, String> metadata,
                           Instant createdAt) {
    public ArtifactMeta {
        metadata = Map.copyOf(metadata);
    }
}
