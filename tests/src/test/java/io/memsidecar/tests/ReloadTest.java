package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.tokens.Ed25519Keys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP rotates keys and swaps the policy of a running sidecar; a broken file changes nothing. */
class ReloadTest {
    @TempDir
    Path dir;

    private static String config(List<String> publicKeys, String policy) {
        return """
                server: { grpc: { tcp: "127.0.0.1:0" }, shutdown_timeout: 2s }
                auth: { paseto: { public_key_hexes: [%s] } }
                %s
                backends: [ { name: mem, driver: memory } ]
                namespaces: [ { block: kv, name: notes, backend: mem } ]
                """.formatted(String.join(", ", publicKeys.stream().map(k -> "\"" + k + "\"").toList()), policy);
    }

    private static int put(HttpClient http, int port, String token) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/kv/notes/k"))
                    .header("x-memsidecar-capability", token).PUT(HttpRequest.BodyPublishers.ofString("v")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The reload runs asynchronously after the signal: wait (bounded) until the answer changes. */
    private static int eventually(IntSupplier call, int expected) throws InterruptedException {
        int last = call.getAsInt();
        for (int i = 0; i < 100 && last != expected; i++) {
            Thread.sleep(100);
            last = call.getAsInt();
        }
        return last;
    }

    private static void sighup(ServerProcess p) throws Exception {
        // The launcher execs the JVM, so the process is the server itself.
        new ProcessBuilder("kill", "-HUP", Long.toString(p.process.pid())).start().waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void sighupRotatesKeysAndPolicyAndIgnoresABrokenFile() throws Exception {
        String[] oldKey = Ed25519Keys.generateHex();
        String[] newKey = Ed25519Keys.generateHex();
        Path file = dir.resolve("sidecar.yaml");
        Files.writeString(file, config(List.of(oldKey[1]), ""));
        String oldToken = TestServer.token(oldKey[0], List.of("*"), List.of("*"), Duration.ofMinutes(10), Instant.now());
        String newToken = TestServer.token(newKey[0], List.of("*"), List.of("*"), Duration.ofMinutes(10), Instant.now());
        try (var server = ServerProcess.start(Map.of(), "--config", file.toString()); var http = HttpClient.newHttpClient()) {
            assertThat(put(http, server.port, oldToken)).isEqualTo(200);
            assertThat(put(http, server.port, newToken)).isEqualTo(401);

            // Rotation step 1: trust both keys, and deny writes to notes by policy.
            Files.writeString(file, config(List.of(newKey[1], oldKey[1]), """
                    policy: { default: allow, rules: [ { name: freeze, effect: deny, match: { op: ["kv.put"] } } ] }"""));
            sighup(server);
            assertThat(eventually(() -> put(http, server.port, newToken), 403)).isEqualTo(403);
            assertThat(put(http, server.port, oldToken)).isEqualTo(403);

            // Step 2: drop the old key and the freeze.
            Files.writeString(file, config(List.of(newKey[1]), ""));
            sighup(server);
            assertThat(eventually(() -> put(http, server.port, newToken), 200)).isEqualTo(200);
            assertThat(put(http, server.port, oldToken)).isEqualTo(401);

            // A broken file is rejected; the running keys and policy stay.
            Files.writeString(file, "auth: { paseto: { public_key_hexes: [\"not-hex\"] } }\n");
            sighup(server);
            Thread.sleep(1000);
            assertThat(put(http, server.port, newToken)).isEqualTo(200);
            assertThat(put(http, server.port, oldToken)).isEqualTo(401);
        }
    }

    /** The file is watched: an edit applies without a signal (as cert-manager or a ConfigMap update would). */
    @Test
    void editingTheFileReloadsWithoutASignalAndABrokenEditChangesNothing() throws Exception {
        String[] key = Ed25519Keys.generateHex();
        Path file = dir.resolve("watched.yaml");
        Files.writeString(file, config(List.of(key[1]), ""));
        String token = TestServer.token(key[0], List.of("*"), List.of("*"), Duration.ofMinutes(10), Instant.now());
        try (var server = ServerProcess.start(Map.of(), "--config", file.toString()); var http = HttpClient.newHttpClient()) {
            assertThat(put(http, server.port, token)).isEqualTo(200);
            // written to a temporary file and renamed over, as editors and kubelet do
            Path next = dir.resolve("watched.yaml.tmp");
            Files.writeString(next, config(List.of(key[1]), """
                    policy: { default: allow, rules: [ { name: freeze, effect: deny, match: { op: ["kv.put"] } } ] }"""));
            Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            assertThat(eventually(() -> put(http, server.port, token), 403)).isEqualTo(403);

            Files.writeString(file, "policy: { default: maybe }\n");
            Thread.sleep(1500);
            assertThat(put(http, server.port, token)).as("a broken file keeps the running policy").isEqualTo(403);

            Files.writeString(file, config(List.of(key[1]), ""));
            assertThat(eventually(() -> put(http, server.port, token), 200)).isEqualTo(200);
        }
    }
}
