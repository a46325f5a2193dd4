package io.memsidecar.server;

import io.memsidecar.server.config.MemsidecarConfig;
import io.memsidecar.tokens.CapabilityTokens;
import io.memsidecar.tokens.Ed25519Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What running with no config needs: an Ed25519 key pair kept in the data directory (made on
 * first start, reused after), and a full-scope token for the local user.
 */
public final class EmbeddedDefaults {
    static final Duration TOKEN_TTL = Duration.ofHours(24);

    private EmbeddedDefaults() {
    }

    /** The config with its auth section filled from {@code dataDir/signing.key}. */
    static MemsidecarConfig withLocalKeys(MemsidecarConfig config) {
        Path dir = config.dataDir();
        Path secretFile = dir.resolve("signing.key");
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (!Files.exists(secretFile)) {
                String[] pair = Ed25519Keys.generateHex();
                writePrivate(secretFile, pair[0]);
                Files.writeString(dir.resolve("signing.pub"), pair[1] + "\n");
            }
            String secret = Files.readString(secretFile).strip();
            return config.withAuth(new MemsidecarConfig.Auth(List.of(Ed25519Keys.publicHexOf(secret)), Optional.of(secret)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare data directory " + dir, e);
        }
    }

    /**
     * The embedded default with every namespace on its memory backend and no other backend
     * ({@code --in-memory}): nothing is written to the data directory but the keys and the token,
     * and nothing survives a restart.
     */
    static MemsidecarConfig inMemory(MemsidecarConfig config) {
        var memory = config.backends().stream().filter(b -> b.driver().equals("memory")).findFirst().orElseThrow();
        return config.withStores(List.of(memory), config.namespaces().stream()
                .map(ns -> new MemsidecarConfig.NamespaceConfig(ns.block(), ns.name(), memory.name(), ns.maxItems(), ns.maxSize(),
                        ns.encrypt(), ns.retention(), ns.semantic(), ns.access()))
                .toList());
    }

    /** Mints the local full-scope token and stores it in {@code dataDir/token} (mode 0600). */
    static String localToken(MemsidecarConfig config) {
        String secret = config.auth().privateKeyHex().orElseThrow();
        String token = CapabilityTokens.paseto(Ed25519Keys.privateKey(secret),
                new CapabilityTokens.Grant("local", "local-dev", List.of("*"), List.of("*"), TOKEN_TTL, ""), Instant.now());
        try {
            writePrivate(config.dataDir().resolve("token"), token);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return token;
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content + "\n", StandardCharsets.UTF_8);
    }
}
