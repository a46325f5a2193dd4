package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.memsidecar.proto.artifact.v1.ArtifactGrpc;
import io.memsidecar.proto.artifact.v1.ArtifactRef;
import io.memsidecar.proto.artifact.v1.DeleteRequest;
import io.memsidecar.proto.artifact.v1.GetRequest;
import io.memsidecar.proto.artifact.v1.ListRequest;
import io.memsidecar.proto.artifact.v1.PutChunk;
import io.memsidecar.proto.artifact.v1.PutInit;
import io.memsidecar.proto.artifact.v1.PutRequest;
import io.memsidecar.proto.artifact.v1.PutResponse;
import io.memsidecar.proto.artifact.v1.StatRequest;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Artifacts through the real server: client-streaming Put, ranged Get, integrity, on memory and the filesystem. */
class ArtifactEndToEndTest {
    @TempDir
    Path blobs;
    private TestServer server;

    @BeforeEach
    void start() {
        server = new TestServer("""
                backends:
                  - { name: mem, driver: memory }
                  - { name: disk, driver: fs, options: { base_dir: "%s" } }
                namespaces:
                  - { block: artifact, name: mem-blobs, backend: mem }
                  - { block: artifact, name: fs-blobs, backend: disk }
                  - { block: artifact, name: secret-blobs, backend: mem }
                """.formatted(blobs), """
                policy:
                  rules:
                    - { name: no-secrets, effect: deny, match: { namespace: ["secret-*"] } }
                """);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ManagedChannel channel(String transport) {
        return transport.equals("uds") ? server.udsChannel() : server.tcpChannel();
    }

    private ArtifactGrpc.ArtifactStub async(ManagedChannel ch) {
        return ArtifactGrpc.newStub(CapabilityHeader.attach(ch, server.fullToken()));
    }

    private ArtifactGrpc.ArtifactBlockingStub blocking(ManagedChannel ch) {
        return ArtifactGrpc.newBlockingStub(CapabilityHeader.attach(ch, server.fullToken()));
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** Sends {@code messages} as one client stream and waits for the answer. */
    private ArtifactRef put(ManagedChannel ch, List<PutRequest> messages) throws Exception {
        var done = new CompletableFuture<PutResponse>();
        StreamObserver<PutRequest> requests = async(ch).withDeadlineAfter(60, TimeUnit.SECONDS).put(new StreamObserver<>() {
            public void onNext(PutResponse r) {
                done.complete(r);
            }

            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            public void onCompleted() {
            }
        });
        messages.forEach(requests::onNext);
        requests.onCompleted();
        try {
            return done.get(60, TimeUnit.SECONDS).getRef();
        } catch (java.util.concurrent.ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    private static List<PutRequest> upload(String ns, String id, byte[] bytes, String expectedSha) {
        var msgs = new ArrayList<PutRequest>();
        var init = PutInit.newBuilder().setNamespace(ns).setId(id).setContentType("application/x-test").putMetadata("k", "v");
        if (expectedSha != null) {
            init.setExpectedSha256(expectedSha);
        }
        msgs.add(PutRequest.newBuilder().setInit(init).build());
        for (int off = 0; off < bytes.length; off += 64 * 1024) {
            int n = Math.min(64 * 1024, bytes.length - off);
            msgs.add(PutRequest.newBuilder().setChunk(PutChunk.newBuilder().setData(ByteString.copyFrom(bytes, off, n))).build());
        }
        return msgs;
    }


    private byte[] getAll(ManagedChannel ch, GetRequest r) throws Exception {
        var out = new ByteArrayOutputStream();
        var it = blocking(ch).withDeadlineAfter(60, TimeUnit.SECONDS).get(r);
        assertThat(it.next().hasHeader()).isTrue();
        while (it.hasNext()) {
            out.write(it.next().getChunk().getData().toByteArray());
        }
        return out.toByteArray();
    }

    private static void assertStatus(ThrowingRunnable call, Status.Code code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).as(e.getMessage()).isEqualTo(code));
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @ParameterizedTest
    @CsvSource({"grpc,mem-blobs", "grpc,fs-blobs", "uds,mem-blobs", "uds,fs-blobs"})
    void putGetStatListDeleteWithIntegrityAndRanges(String transport, String ns) throws Exception {
        ManagedChannel ch = channel(transport);
        try {
            byte[] bytes = random(1_000_003);
            ArtifactRef ref = put(ch, upload(ns, "report.bin", bytes, sha256(bytes)));
            assertThat(ref.getSize()).isEqualTo(bytes.length);
            assertThat(ref.getSha256()).isEqualTo(sha256(bytes));
            assertThat(getAll(ch, GetRequest.newBuilder().setNamespace(ns).setId("report.bin").build())).isEqualTo(bytes);
            byte[] range = getAll(ch, GetRequest.newBuilder().setNamespace(ns).setId("report.bin").setOffset(100_000)
                    .setLength(70_000).build());
            assertThat(range).isEqualTo(java.util.Arrays.copyOfRange(bytes, 100_000, 170_000));
            // from the very end: nothing; past it: OUT_OF_RANGE
            assertThat(getAll(ch, GetRequest.newBuilder().setNamespace(ns).setId("report.bin").setOffset(bytes.length).build()))
                    .isEmpty();
            assertStatus(() -> getAll(ch, GetRequest.newBuilder().setNamespace(ns).setId("report.bin")
                    .setOffset(bytes.length + 1).build()), Status.Code.OUT_OF_RANGE);

            var stat = blocking(ch).stat(StatRequest.newBuilder().setNamespace(ns).setId("report.bin").build());
            assertThat(stat.getFound()).isTrue();
            assertThat(stat.getMeta().getSha256()).isEqualTo(sha256(bytes));
            assertThat(stat.getMeta().getMetadataMap()).containsEntry("k", "v");

            ArtifactRef generated = put(ch, upload(ns, "", new byte[] {1, 2, 3}, null));
            assertThat(generated.getId()).isNotEmpty();
            var listed = new ArrayList<String>();
            blocking(ch).list(ListRequest.newBuilder().setNamespace(ns).build()).forEachRemaining(m -> listed.add(m.getId()));
            assertThat(listed).contains("report.bin", generated.getId()).isSorted();

            // A promise the upload breaks stores nothing and leaves the previous version.
            assertStatus(() -> put(ch, upload(ns, "report.bin", random(10), sha256(bytes))), Status.Code.INVALID_ARGUMENT);
            assertThat(blocking(ch).stat(StatRequest.newBuilder().setNamespace(ns).setId("report.bin").build())
                    .getMeta().getSize()).isEqualTo(bytes.length);

            assertThat(blocking(ch).delete(DeleteRequest.newBuilder().setNamespace(ns).setId("report.bin").build())
                    .getExisted()).isTrue();
            assertThat(blocking(ch).stat(StatRequest.newBuilder().setNamespace(ns).setId("report.bin").build()).getFound())
                    .isFalse();
            assertStatus(() -> getAll(ch, GetRequest.newBuilder().setNamespace(ns).setId("report.bin").build()),
                    Status.Code.NOT_FOUND);
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void badPutsAreRejected() throws Exception {
        ManagedChannel ch = server.tcpChannel();
        try {
            assertStatus(() -> put(ch, List.of(PutRequest.newBuilder().setChunk(PutChunk.newBuilder()
                    .setData(ByteString.copyFromUtf8("x"))).build())), Status.Code.INVALID_ARGUMENT);
            assertStatus(() -> put(ch, upload("mem-blobs", "../escape", new byte[1], null)), Status.Code.INVALID_ARGUMENT);
            assertStatus(() -> put(ch, upload("mem-blobs", "..", new byte[1], null)), Status.Code.INVALID_ARGUMENT);
            var twoInits = new ArrayList<>(upload("mem-blobs", "a", new byte[1], null));
            twoInits.add(twoInits.getFirst());
            assertStatus(() -> put(ch, twoInits), Status.Code.INVALID_ARGUMENT);
            assertThat(blocking(ch).stat(StatRequest.newBuilder().setNamespace("mem-blobs").setId("a").build()).getFound())
                    .isFalse();
            // Policy is decided on the init, before any byte is stored.
            assertStatus(() -> put(ch, upload("secret-blobs", "a", new byte[10], null)), Status.Code.PERMISSION_DENIED);
            assertStatus(() -> put(ch, upload("nope", "a", new byte[10], null)), Status.Code.NOT_FOUND);
        } finally {
            ch.shutdownNow();
        }
    }

    /**
     * A whole-file Get checks the stored bytes: against the CRC-32C recorded at Put, and against the
     * SHA-256 for an artifact stored before that record existed. Either way a changed byte ends the
     * stream with DATA_LOSS; a ranged read is not checked.
     */
    @Test
    void changedStoredBytesEndAWholeGetWithDataLoss() throws Exception {
        ManagedChannel ch = server.tcpChannel();
        try {
            byte[] bytes = random(300_000);
            put(ch, upload("fs-blobs", "kept.bin", bytes, null));
            put(ch, upload("fs-blobs", "old.bin", bytes, null));
            var whole = GetRequest.newBuilder().setNamespace("fs-blobs");
            assertThat(getAll(ch, whole.setId("kept.bin").build())).isEqualTo(bytes);
            var stat = blocking(ch).stat(StatRequest.newBuilder().setNamespace("fs-blobs").setId("kept.bin").build());
            assertThat(stat.getMeta().getMetadataMap()).as("the server's own entries are not shown").containsOnlyKeys("k");

            // old.bin as an earlier version stored it: no CRC-32C entry in its metadata file
            Path oldJson;
            try (var files = java.nio.file.Files.walk(blobs)) {
                oldJson = files.filter(f -> f.getFileName().toString().equals("old.bin.json")).findFirst().orElseThrow();
            }
            var json = (com.fasterxml.jackson.databind.node.ObjectNode) Json.parse(java.nio.file.Files.readString(oldJson));
            assertThat(((com.fasterxml.jackson.databind.node.ObjectNode) json.get("metadata")).remove("memsidecar-crc32c"))
                    .isNotNull();
            java.nio.file.Files.writeString(oldJson, json.toString());
            assertThat(getAll(ch, whole.setId("old.bin").build())).as("SHA-256 checked, bytes intact").isEqualTo(bytes);

            try (var files = java.nio.file.Files.walk(blobs)) {
                for (Path data : files.filter(f -> f.getFileName().toString().endsWith(".data")).toList()) {
                    byte[] stored = java.nio.file.Files.readAllBytes(data);
                    stored[123_456] ^= 1;
                    java.nio.file.Files.write(data, stored);
                }
            }
            for (String id : List.of("kept.bin", "old.bin")) {
                assertStatus(() -> getAll(ch, whole.setId(id).build()), Status.Code.DATA_LOSS);
                assertThat(getAll(ch, whole.setId(id).setOffset(0).setLength(1000).build())).hasSize(1000);
                whole.clearLength();
            }

            assertStatus(() -> put(ch, List.of(PutRequest.newBuilder().setInit(PutInit.newBuilder().setNamespace("fs-blobs")
                    .setId("x").putMetadata("memsidecar-crc32c", "00000000")).build())), Status.Code.INVALID_ARGUMENT);
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void curlRoutesStreamRawBodiesWithRangesAndEtags() throws Exception {
        byte[] bytes = random(200_000);
        String base = "http://127.0.0.1:" + server.port() + "/v1/artifacts/fs-blobs/";
        try (var http = HttpClient.newHttpClient()) {
            var put = http.send(HttpRequest.newBuilder(URI.create(base + "photo.jpg")).header("x-memsidecar-capability",
                            server.fullToken()).header("Content-Type", "image/jpeg")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(put.headers().firstValue("ETag")).hasValue("\"" + sha256(bytes) + "\"");

            var get = http.send(HttpRequest.newBuilder(URI.create(base + "photo.jpg"))
                    .header("x-memsidecar-capability", server.fullToken()).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body()).isEqualTo(bytes);
            assertThat(get.headers().firstValue("Content-Type")).hasValue("image/jpeg");

            var ranged = http.send(HttpRequest.newBuilder(URI.create(base + "photo.jpg")).header("Range", "bytes=10-19")
                    .header("x-memsidecar-capability", server.fullToken()).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(ranged.statusCode()).isEqualTo(206);
            assertThat(ranged.headers().firstValue("Content-Range")).hasValue("bytes 10-19/200000");
            assertThat(ranged.body()).isEqualTo(java.util.Arrays.copyOfRange(bytes, 10, 20));

            var head = http.send(HttpRequest.newBuilder(URI.create(base + "photo.jpg")).method("HEAD",
                    HttpRequest.BodyPublishers.noBody()).header("x-memsidecar-capability", server.fullToken()).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValue("Content-Length")).hasValue("200000");

            var mismatch = http.send(HttpRequest.newBuilder(URI.create(base + "other")).header("x-memsidecar-capability",
                            server.fullToken()).header("X-Expected-Sha256", sha256(new byte[] {9}))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(mismatch.statusCode()).isEqualTo(400);
            var missing = http.send(HttpRequest.newBuilder(URI.create(base + "other"))
                    .header("x-memsidecar-capability", server.fullToken()).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(missing.statusCode()).isEqualTo(404);

            var deleted = http.send(HttpRequest.newBuilder(URI.create(base + "photo.jpg"))
                    .header("x-memsidecar-capability", server.fullToken()).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(Json.parse(deleted.body()).get("existed").asBoolean()).isTrue();
            var gone = http.send(HttpRequest.newBuilder(URI.create(base + "photo.jpg")).method("HEAD",
                    HttpRequest.BodyPublishers.noBody()).header("x-memsidecar-capability", server.fullToken()).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(gone.statusCode()).isEqualTo(404);

            // The gateway takes a client stream as newline-delimited JSON messages.
            String ndjson = "{\"init\":{\"namespace\":\"mem-blobs\",\"id\":\"gw\"}}\n{\"chunk\":{\"data\":\""
                    + Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}) + "\"}}\n";
            var gw = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                            + "/memsidecar.artifact.v1.Artifact/Put")).header("x-memsidecar-capability", server.fullToken())
                    .POST(HttpRequest.BodyPublishers.ofString(ndjson)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(gw.statusCode()).isEqualTo(200);
            assertThat(Json.parse(gw.body()).get("ref").get("size").asText()).isEqualTo("3");
        }
    }
}
