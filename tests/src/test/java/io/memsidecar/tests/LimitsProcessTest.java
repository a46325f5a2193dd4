package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.server.Ed25519Keys;
import io.memsidecar.server.PasetoTokens;
import java.io.InputStream;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issue's reproduction: 300 MB sent to a KV route of a server with a 64 MiB heap. Before the
 * limits it died of OutOfMemoryError and answered nothing more; now it answers 413 and carries on,
 * its resident set far below the body's size.
 */
class LimitsProcessTest {
    private static final long BODY = 300L * 1024 * 1024;

    @TempDir
    Path dir;

    /** {@code size} bytes made up as they are read: the test holds none of them. */
    private static InputStream generated(long size) {
        return new InputStream() {
            long left = size;

            @Override
            public int read() {
                return left-- > 0 ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
    }

    private static long rssKib(long pid) throws Exception {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElseThrow();
    }

    @Test
    void aBodyFarOverTheLimitLeavesASmallHeapServerAnswering() throws Exception {
        String[] keys = Ed25519Keys.generateHex();
        Path config = dir.resolve("c.yaml");
        Files.writeString(config, """
                server: { grpc: { tcp: "127.0.0.1:0" } }
                auth: { paseto: { public_key_hexes: ["%s"] } }
                backends: [ { name: mem, driver: memory } ]
                namespaces: [ { block: kv, name: notes, backend: mem } ]
                """.formatted(keys[1]));
        String token = PasetoTokens.issue(Ed25519Keys.privateKey(keys[0]), new PasetoTokens.Grant("acme", "a",
                List.of("*"), List.of("*"), Duration.ofMinutes(5), ""), Instant.now());
        try (var server = ServerProcess.start(Map.of("JAVA_OPTS", "-Xmx64m"), "--config", config.toString());
             var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String base = "http://127.0.0.1:" + server.port + "/v1/kv/notes/";
            var warm = http.send(HttpRequest.newBuilder(URI.create(base + "warm")).header("x-memsidecar-capability", "Bearer " + token)
                    .PUT(HttpRequest.BodyPublishers.ofString("w")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(warm.statusCode()).isEqualTo(200);
            long before = rssKib(server.process.pid());
            // declared length, then chunked (no length): both refused
            var declared = http.send(HttpRequest.newBuilder(URI.create(base + "big")).header("x-memsidecar-capability", "Bearer " + token)
                    .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> generated(BODY)), BODY))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(declared.statusCode()).isEqualTo(413);
            var chunked = http.send(HttpRequest.newBuilder(URI.create(base + "big")).header("x-memsidecar-capability", "Bearer " + token)
                    .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> generated(BODY))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(chunked.statusCode()).isEqualTo(413);
            assertThat(Json.parse(chunked.body()).get("message").asText()).contains("limits.max_message_bytes");

            assertThat(server.process.isAlive()).isTrue();
            var put = http.send(HttpRequest.newBuilder(URI.create(base + "small")).header("x-memsidecar-capability", "Bearer " + token)
                    .PUT(HttpRequest.BodyPublishers.ofString("still here")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).isEqualTo(200);
            var get = http.send(HttpRequest.newBuilder(URI.create(base + "small")).header("x-memsidecar-capability", "Bearer " + token)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.body()).isEqualTo("still here");
            // 600 MB went past it; its resident set grew by less than its 64 MiB heap
            assertThat(rssKib(server.process.pid()) - before).as("resident set growth, KiB").isLessThan(64 * 1024);
        }
    }
}
