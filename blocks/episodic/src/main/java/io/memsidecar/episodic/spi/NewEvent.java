package io.memsidecar.episodic.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What Append writes; {@code dedupKey} present makes it idempotent per namespace. */
public record NewEvent(String type,
                       byte[] payload,
                       Map<String, String> metadata,
                       String role,
                       String sessionId,
                       Optional<String> dedupKey,
                       List<String> supersedes,
                       String source) {
    public NewEvent {
        metadata = Map.copyOf(metadata);
        supersedes = List.copyOf(supersedes);
    }

    public static NewEvent of(String type, String payload) {
        return new NewEvent(type, payload.getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of(), "", "",
                Optional.empty(), List.of(), "");
    }
}
