package io.memsidecar.springai;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code memsidecar.*}: where the sidecar is and which namespaces the beans use.
 *
 * @param target       host:port or unix:/path (default 127.0.0.1:7777)
 * @param token        the capability token
 * @param unixSocket   the sidecar's Unix socket, instead of target
 * @param tls          TLS with the system's CAs
 * @param deadline     deadline of each call (default 20s)
 * @param vectorStore  the semantic namespace of the VectorStore (default notes)
 * @param chatMemory   the episodic namespace of the ChatMemoryRepository (default events)
 */
@ConfigurationProperties("memsidecar")
public record MemSidecarProperties(String target, String token, Path unixSocket, boolean tls, Duration deadline,
                                   Namespace vectorStore, Namespace chatMemory) {
    public MemSidecarProperties {
        target = target == null ? "127.0.0.1:7777" : target;
        deadline = deadline == null ? Duration.ofSeconds(20) : deadline;
        vectorStore = vectorStore == null ? new Namespace("notes") : vectorStore;
        chatMemory = chatMemory == null ? new Namespace("events") : chatMemory;
    }

    public record Namespace(String namespace) {
    }
}
