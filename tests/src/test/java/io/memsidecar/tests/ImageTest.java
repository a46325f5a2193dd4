package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.tokens.Ed25519Keys;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge runtime and the OCI image, built as a user would (packaging/image.sh: jlink runtime with
 * AOT cache, Debian's libc and friends, FROM scratch with podman) and run the way k8s/ runs it:
 * read-only root, UID 65532, tmpfs /tmp, a volume for the data dir and one for the Unix socket.
 */
class ImageTest {
    private static final Path ROOT = Path.of(System.getProperty("memsidecar.root", "..")).toAbsolutePath().normalize();
    private static final Path ROOTFS = ROOT.resolve("server/target/image/rootfs");
    private static final String IMAGE = "memsidecar:test";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    @BeforeAll
    static void buildImage() throws Exception {
        // podman builds and runs the image as root (packaging/podman.sh installs it when missing);
        // a developer without root skips this class, CI never does.
        if (!"true".equalsIgnoreCase(System.getenv("CI"))) {
            org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                    "the image test builds and runs the image with podman as root; skipped");
        }
        var build = run(Duration.ofMinutes(10), "packaging/image.sh", "--tag", IMAGE);
        assertThat(build.code()).as(build.output()).isZero();
        System.out.println("[image] " + build.output().lines().filter(l -> l.startsWith("image:") || l.startsWith("runtime:"))
                .collect(Collectors.joining("; ")));
    }

    @AfterAll
    static void removeContainers() throws Exception {
        run(Duration.ofMinutes(1), "bash", "-c", ". packaging/podman.sh && podman_ rm -f ms-image-test >/dev/null 2>&1 || true");
    }

    @Test
    void theRuntimeHoldsOnlyTheJdkModulesJdepsChose() throws Exception {
        Path jre = ROOTFS.resolve("opt/memsidecar/jre");
        var listed = run(Duration.ofMinutes(1), jre.resolve("bin/java").toString(), "--list-modules");
        Set<String> modules = listed.output().lines().map(l -> l.replaceAll("@.*", "").strip()).collect(Collectors.toSet());
        List<String> chosen = Files.readAllLines(ROOTFS.resolve("opt/memsidecar/lib/jdk-modules"));
        assertThat(modules).containsAll(chosen).contains("java.base", "jdk.unsupported")
                .doesNotContain("jdk.compiler", "jdk.jshell", "java.scripting", "jdk.javadoc", "jdk.jlink");
        // the in-process embedder and the S3 driver are left out of the default runtime
        assertThat(ROOTFS.resolve("opt/memsidecar/lib/onnx")).doesNotExist();
        assertThat(ROOTFS.resolve("opt/memsidecar/lib/s3")).doesNotExist();
        assertThat(ROOTFS.resolve("opt/memsidecar/lib/memsidecar.aot")).isNotEmptyFile();
    }

    @Test
    void theImageIsDistrolessNonrootWithPortsAndLabels() throws Exception {
        var inspect = podman("image", "inspect", IMAGE);
        assertThat(inspect.code()).as(inspect.output()).isZero();
        JsonNode config = JSON.readTree(inspect.output()).get(0).get("Config");
        assertThat(config.get("User").asText()).isEqualTo("65532:65532");
        assertThat(fieldNames(config.get("ExposedPorts"))).containsExactlyInAnyOrder("7777/tcp", "8080/tcp", "9090/tcp");
        assertThat(fieldNames(config.get("Labels"))).contains("org.opencontainers.image.title",
                "org.opencontainers.image.version", "org.opencontainers.image.revision", "org.opencontainers.image.licenses");
        assertThat(config.has("Healthcheck")).isFalse();
        assertThat(config.get("Entrypoint").get(0).asText()).isEqualTo("/opt/memsidecar/jre/bin/java");
        // no shell, no package manager
        for (String absent : List.of("bin/sh", "bin/bash", "usr/bin/sh", "usr/bin/dpkg", "usr/bin/apt", "usr/bin/apt-get")) {
            assertThat(ROOTFS.resolve(absent)).as(absent).doesNotExist();
        }
    }

    @Test
    void aConfigNamingALeftOutPartOrTheDevKeyOffLoopbackIsRefused() throws Exception {
        Path config = dir.resolve("s3.yaml");
        Files.writeString(config, """
                server: { grpc: { tcp: "127.0.0.1:7777" } }
                auth: { paseto: { public_key_hexes: ["%s"] } }
                backends: [ { name: blobs, driver: s3, options: { bucket: b } } ]
                """.formatted(Ed25519Keys.generateHex()[1]));
        var s3 = podman("run", "--rm", "--read-only", "-v", config + ":/etc/memsidecar/memsidecar.yaml:ro", IMAGE);
        assertThat(s3.code()).as(s3.output()).isEqualTo(2);
        assertThat(s3.output()).contains("the s3 driver is an optional part").contains("lib/s3/");

        // the image's own config listens on 0.0.0.0: the published dev key is refused there
        var dev = podman("run", "--rm", "--read-only", "-e",
                "MEMSIDECAR_AUTH__PASETO__PUBLIC_KEY_HEX=61a2d0067233cf8d6570c76f37573cbc31d33032ab256fe0c8032c0987d0fbf9", IMAGE);
        assertThat(dev.code()).as(dev.output()).isEqualTo(2);
        assertThat(dev.output()).contains("published dev key").contains("memctl gen-keypair");
    }

    @Test
    void runsReadOnlyAsNonrootOverTcpAndTheUnixSocketAndStopsCleanlyOnSigterm() throws Exception {
        String[] keys = Ed25519Keys.generateHex();
        String token = TestServer.token(keys[0], List.of("*"), List.of("*"), Duration.ofHours(1), java.time.Instant.now());
        Path data = Files.createDirectories(dir.resolve("data"));
        Path run = Files.createDirectories(dir.resolve("run"));
        for (Path p : List.of(data, run)) {
            assertThat(run(Duration.ofSeconds(10), "chown", "65532:65532", p.toString()).code()).isZero();
        }
        int grpcPort;
        int port;
        try (var s = new ServerSocket(0); var h = new ServerSocket(0)) {
            grpcPort = s.getLocalPort();
            port = h.getLocalPort();
        }
        var started = podman("run", "-d", "--name", "ms-image-test", "--read-only", "--tmpfs", "/tmp",
                "--user", "65532:65532", "-v", data + ":/var/lib/memsidecar", "-v", run + ":/run/memsidecar",
                "-e", "MEMSIDECAR_AUTH__PASETO__PUBLIC_KEY_HEX=" + keys[1], "-p", "127.0.0.1:" + grpcPort + ":7777",
                "-p", "127.0.0.1:" + port + ":8080", IMAGE);
        assertThat(started.code()).as(started.output()).isZero();

        var http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        HttpResponse<String> ready = null;
        while (System.nanoTime() < deadline) {
            try {
                ready = http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // the port is published before the server listens
            }
            Thread.sleep(100);
        }
        assertThat(ready).as(podman("logs", "ms-image-test").output()).isNotNull();
        assertThat(ready.statusCode()).isEqualTo(200);

        // HTTP on 8080: a value in over the curl route, an artifact onto the data volume
        var put = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/scratchpad/from-tcp"))
                .header("x-memsidecar-capability", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.ofString("over tcp")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        var blob = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/artifacts/blobs/report.txt"))
                .header("x-memsidecar-capability", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.ofString("on the volume")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(blob.statusCode()).as(blob.body()).isBetween(200, 201);
        try (var files = Files.walk(data)) {
            assertThat(files.filter(Files::isRegularFile).toList()).isNotEmpty();
        }

        // gRPC on 7777 and on the Unix socket in the shared volume read what HTTP wrote
        Path socket = run.resolve("memsidecar.sock");
        assertThat(socket).exists();
        for (ManagedChannel channel : List.of(TestServer.udsChannel(socket),
                NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build())) {
            try {
                var value = TestServer.kv(channel, token).get(GetRequest.newBuilder().setNamespace("scratchpad").setKey("from-tcp").build());
                assertThat(value.getValue()).isEqualTo(ByteString.copyFromUtf8("over tcp"));
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }

        // SIGTERM drains and exits 0 well within the grace period; the AOT cache was used
        long t0 = System.nanoTime();
        var stop = podman("stop", "-t", "20", "ms-image-test");
        long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(stop.code()).as(stop.output()).isZero();
        var state = podman("inspect", "ms-image-test", "--format", "{{.State.ExitCode}}");
        String logs = podman("logs", "ms-image-test").output();
        assertThat(state.output().strip()).as(logs).isEqualTo("0");
        assertThat(stopMillis).as("stopped by SIGTERM, not killed at the 20 s grace period").isLessThan(20_000);
        assertThat(logs).contains("\"msg\":\"ready\"").doesNotContain("AOT cache").doesNotContain("mismatch")
                .doesNotContain("over tcp");
        System.out.println("[image] SIGTERM stop took " + stopMillis + " ms");
    }

    /**
     * docs/deploy.md's {@code podman run} line, as printed (the key filled in), with fresh named volumes:
     * they take the image's ownership of the data and socket directories (65532), so the server starts,
     * writes an artifact onto the data volume and serves its socket.
     */
    @Test
    void theDocumentedRunLineWorksAsPrintedWithNamedVolumes() throws Exception {
        String doc = Files.readString(ROOT.resolve("docs/deploy.md"));
        var block = java.util.regex.Pattern.compile("(?m)^podman run (?:.*\\\\\n)*.*$").matcher(doc);
        assertThat(block.find()).as("the podman run line in docs/deploy.md").isTrue();
        String line = block.group();
        assertThat(line).contains("-v ms-data:/var/lib/memsidecar", "-v ms-run:/run/memsidecar", "memsidecar:dev");
        String[] keys = Ed25519Keys.generateHex();
        String token = TestServer.token(keys[0], List.of("*"), List.of("*"), Duration.ofHours(1), java.time.Instant.now());
        String setup = ". packaging/podman.sh && podman() { podman_ \"$@\"; } && ";
        run(Duration.ofMinutes(1), "bash", "-c", setup + "podman volume rm -f ms-data ms-run >/dev/null 2>&1; true");
        assertThat(podman("tag", IMAGE, "memsidecar:dev").code()).isZero();
        Process server = new ProcessBuilder("bash", "-c", setup + line.replace("<public_key_hex>", keys[1]))
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("documented-run.log").toFile()).start();
        try {
            var http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:8080";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int status = 0;
            while (System.nanoTime() < deadline && server.isAlive() && status != 200) {
                try {
                    status = http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (IOException notYet) {
                    Thread.sleep(100);
                }
            }
            assertThat(status).as(Files.readString(dir.resolve("documented-run.log"))).isEqualTo(200);
            var blob = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/artifacts/blobs/on-a-named-volume"))
                    .header("x-memsidecar-capability", "Bearer " + token)
                    .PUT(HttpRequest.BodyPublishers.ofString("kept")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(blob.statusCode()).as(blob.body()).isBetween(200, 201);
            var volume = podman("volume", "inspect", "ms-run", "--format", "{{.Mountpoint}}");
            assertThat(Path.of(volume.output().strip()).resolve("memsidecar.sock")).exists();
        } finally {
            run(Duration.ofMinutes(1), "bash", "-c", setup + "podman stop -t 20 $(podman ps -q --filter volume=ms-data) >/dev/null 2>&1;"
                    + " podman rm -f $(podman ps -aq --filter volume=ms-data) >/dev/null 2>&1; podman volume rm -f ms-data ms-run; true");
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        var names = new ArrayList<String>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Result podman(String... args) throws Exception {
        var cmd = new ArrayList<>(List.of("bash", "-c", ". packaging/podman.sh && podman_ \"$@\"", "podman"));
        cmd.addAll(List.of(args));
        return run(Duration.ofMinutes(2), cmd.toArray(String[]::new));
    }

    record Result(int code, String output) {
    }

    private static Result run(Duration timeout, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
