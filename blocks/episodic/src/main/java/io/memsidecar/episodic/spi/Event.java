package io.memsidecar.episodic.spi;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A stored event. {@code cursor} is the namespace's position, strictly increasing from 1. */
public record Event(String id,
                    long cursor,
                    Instant timestamp,
                    String type,
                    byte[] payload,
                    Map<String, String> metadata,
                    String role,
                    String sessionId,
                    List<String> supersedes,
                    String source,
                    Optional<Instant> deletedAt) {
    public Event {
        metadata = Map.copyOf(metadata);
        supersedes = List.copyOf(supersedes);
    }
}
