package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The disk under the embedded backends fills up or turns read-only, on a real filesystem of 4 MiB
 * (tmpfs, mounted by the test; root is needed, as in CI): a write that hits ENOSPC answers
 * RESOURCE_EXHAUSTED (HTTP 413 is for requests over a limit; a full disk is 429 by spec §9's
 * RESOURCE_EXHAUSTED) and one that hits EROFS UNAVAILABLE (503); no partial artifact or half-written
 * record is left, every acknowledged write still reads back, and reads go on being served.
 */
class DiskFaultTest {
    /** The artifacts' disk and the database's: the kernel refuses to remount read-only a filesystem with a
     * file open for writing, as SQLite's is, so only the artifacts' one is turned read-only. */
    private final java.util.List<Path> mounts = new java.util.ArrayList<>();
    private Path files;
    private Path db;

    @BeforeEach
    void mountSmallDisks() throws Exception {
        boolean root = "0".equals(run("id", "-u").trim());
        if (!root && !"true".equalsIgnoreCase(System.getenv("CI"))) {
            org.junit.jupiter.api.Assumptions.abort("mounting a small tmpfs needs root (CI runs as root)");
        }
        files = mountTmpfs();
        db = mountTmpfs();
    }

    private Path mountTmpfs() throws Exception {
        Path dir = Files.createTempDirectory("memsidecar-disk");
        run("mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", dir.toString());
        mounts.add(dir);
        return dir;
    }

    @AfterEach
    void unmount() throws Exception {
        for (Path dir : mounts) {
            run("umount", "-l", dir.toString());
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void aFullThenReadOnlyDiskRefusesWritesKeepsEverythingAcknowledgedAndServesReads() throws Exception {
        try (var server = TestServer.withHttpListener("""
                backends:
                  - { name: disk, driver: fs, options: { base_dir: "%s/artifacts" } }
                  - { name: db, driver: sqlite, options: { path: "%s/memsidecar.db" } }
                namespaces:
                  - { block: artifact, name: files, backend: disk }
                  - { block: kv, name: notes, backend: db }
                """.formatted(files, db))) {
            var http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.server.httpPort().orElseThrow();
            String auth = "Bearer " + server.fullToken();
            var random = new Random(7);

            // artifacts of 256 KiB until the disk is full
            Map<String, String> stored = new LinkedHashMap<>();
            HttpResponse<String> refused = null;
            for (int i = 0; i < 64 && refused == null; i++) {
                byte[] body = new byte[256 * 1024];
                random.nextBytes(body);
                var res = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/artifacts/files/a" + i)).header("x-memsidecar-capability", auth)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() == 200 || res.statusCode() == 201) {
                    stored.put("a" + i, sha256(body));
                } else {
                    refused = res;
                }
            }
            assertThat(refused).as("the disk filled up").isNotNull();
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.body()).contains("\"code\":8", "disk full").doesNotContain(files.toString());
            assertThat(stored).isNotEmpty();
            try (Stream<Path> walk = Files.walk(files.resolve("artifacts"))) {
                assertThat(walk.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")))
                        .as("no partial artifact is left behind").isEmpty();
            }
            try (Stream<Path> walk = Files.walk(files.resolve("artifacts"))) {
                assertThat(walk.filter(p -> p.toString().endsWith(".data")).count())
                        .as("no data file without its record").isEqualTo(stored.size());
            }

            // KV values into SQLite on the (nearly) full disk until it refuses too
            Map<String, String> values = new LinkedHashMap<>();
            HttpResponse<String> kvRefused = null;
            for (int i = 0; i < 400 && kvRefused == null; i++) {
                byte[] bytes = new byte[16 * 1024];
                random.nextBytes(bytes);
                String value = HexFormat.of().formatHex(bytes);
                var res = put(http, base + "/v1/kv/notes/k" + i, auth, value);
                if (res.statusCode() == 200) {
                    values.put("k" + i, value);
                } else {
                    kvRefused = res;
                }
            }
            assertThat(kvRefused).as("SQLite hit the full disk").isNotNull();
            assertThat(kvRefused.statusCode()).isIn(429, 503);
            assertThat(kvRefused.body()).doesNotContain("\"code\":13");

            // everything acknowledged reads back, and reads are served while the disk is full
            assertAllReadBack(http, base, auth, stored, values);

            // the artifacts' disk turns read-only: writes are UNAVAILABLE, reads still served
            run("mount", "-o", "remount,ro", files.toString());
            var roArtifact = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/artifacts/files/ro")).header("x-memsidecar-capability", auth)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[10])).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(roArtifact.statusCode()).isEqualTo(503);
            assertThat(roArtifact.body()).contains("\"code\":14", "read-only");
            assertAllReadBack(http, base, auth, stored, values);
        }
    }

    private static HttpResponse<String> put(HttpClient http, String url, String auth, String value) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("x-memsidecar-capability", auth)
                .PUT(HttpRequest.BodyPublishers.ofString(value)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertAllReadBack(HttpClient http, String base, String auth, Map<String, String> artifacts,
                                          Map<String, String> values) throws Exception {
        for (var e : artifacts.entrySet()) {
            var res = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/artifacts/files/" + e.getKey()))
                    .header("x-memsidecar-capability", auth).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(sha256(res.body())).as("artifact %s", e.getKey()).isEqualTo(e.getValue());
        }
        for (var e : values.entrySet()) {
            var res = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/notes/" + e.getKey()))
                    .header("x-memsidecar-capability", auth).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).as("value %s", e.getKey()).isEqualTo(e.getValue());
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
