package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.memsidecar.proto.artifact.v1.ArtifactGrpc;
import io.memsidecar.proto.artifact.v1.GetRequest;
import io.memsidecar.proto.artifact.v1.GetResponse;
import io.memsidecar.proto.artifact.v1.PutInit;
import io.memsidecar.proto.artifact.v1.PutResponse;
import io.memsidecar.proto.artifact.v1.StatRequest;
import io.memsidecar.tokens.Ed25519Keys;
import io.memsidecar.tests.bench.ArtifactUpload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packaged server with a small heap and a real disk: a 1 GiB artifact streams in and out of
 * a server limited to 128 MiB of heap, and a server killed in the middle of a Put leaves the
 * previous version intact and nothing partial behind.
 */
class ArtifactProcessTest {
    private static final int CHUNK = 64 * 1024;

    @TempDir
    Path dir;

    private final String[] key = Ed25519Keys.generateHex();

    private Path config() throws Exception {
        return config("server: { grpc: { tcp: \"127.0.0.1:0\" }, shutdown_timeout: 2s }");
    }

    /** {@code server} is the YAML line of the server section. */
    private Path config(String server) throws Exception {
        Path file = dir.resolve("sidecar.yaml");
        Files.writeString(file, """
                %s
                logging: { access: false }
                auth: { paseto: { public_key_hexes: ["%s"] } }
                backends: [ { name: disk, driver: fs, options: { base_dir: "%s" } } ]
                namespaces: [ { block: artifact, name: blobs, backend: disk } ]
                """.formatted(server, key[1], dir.resolve("blobs")));
        return file;
    }

    private ArtifactGrpc.ArtifactStub stub(ManagedChannel ch) {
        return ArtifactGrpc.newStub(authenticated(ch));
    }

    private io.grpc.Channel authenticated(ManagedChannel ch) {
        return CapabilityHeader.attach(ch, TestServer.token(key[0], List.of("*"), List.of("*"), Duration.ofMinutes(30),
                Instant.now()));
    }

    /** Streams {@code total} pseudo-random bytes as one Put, adding them to {@code sent}; {@code halfway} runs at half. */
    private static CompletableFuture<PutResponse> put(ArtifactGrpc.ArtifactStub stub, String id, long total, long seed,
                                                      MessageDigest sent, Runnable halfway) {
        var random = new Random(seed);
        long[] written = {0};
        return ArtifactUpload.put(stub.withDeadlineAfter(10, TimeUnit.MINUTES),
                PutInit.newBuilder().setNamespace("blobs").setId(id).build(), CHUNK, buffer -> {
                    if (written[0] >= total) {
                        return -1;
                    }
                    int n = (int) Math.min(buffer.length, total - written[0]);
                    random.nextBytes(buffer);
                    sent.update(buffer, 0, n);
                    if (halfway != null && written[0] < total / 2 && written[0] + n >= total / 2) {
                        Thread.ofVirtual().start(halfway);
                    }
                    written[0] += n;
                    return n;
                });
    }

    /**
     * Flow control both ways on both TCP transports (Helidon with {@code transport: helidon}; grpc-netty,
     * the default): 1 GiB up and down through a 128 MiB heap, the reader stopping for two seconds
     * after the first 64 MiB — a server that buffered instead of waiting would run out of heap.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "server: { grpc: { tcp: \"127.0.0.1:0\", transport: helidon }, shutdown_timeout: 2s }",
        "server: { grpc: { tcp: \"127.0.0.1:0\" }, shutdown_timeout: 2s }"})
    void aGibibyteStreamsThroughAServerWith128MiBOfHeapToASlowReader(String serverYaml) throws Exception {
        long size = 1L << 30;
        // direct memory capped too: grpc-netty's buffers live there, and a transport that read ahead of
        // the handler would fill it (it did, before client-stream messages were requested one by one)
        try (var server = ServerProcess.start(Map.of("JAVA_OPTS", "-Xmx128m -XX:MaxDirectMemorySize=32m"), "--config",
                config(serverYaml).toString())) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.port).usePlaintext().build();
            try {
                MessageDigest sent = MessageDigest.getInstance("SHA-256");
                PutResponse r = put(stub(ch), "big", size, 42, sent, null).get(10, TimeUnit.MINUTES);
                String expected = HexFormat.of().formatHex(sent.digest());
                assertThat(r.getRef().getSize()).isEqualTo(size);
                assertThat(r.getRef().getSha256()).isEqualTo(expected);

                MessageDigest received = MessageDigest.getInstance("SHA-256");
                long count = 0;
                Iterator<GetResponse> it = ArtifactGrpc.newBlockingStub(authenticated(ch))
                        .withDeadlineAfter(10, TimeUnit.MINUTES).get(GetRequest.newBuilder().setNamespace("blobs").setId("big").build());
                while (it.hasNext()) {
                    GetResponse g = it.next();
                    if (g.hasChunk()) {
                        g.getChunk().getData().asReadOnlyByteBufferList().forEach(received::update);
                        count += g.getChunk().getData().size();
                        if (count == 64L << 20) {
                            Thread.sleep(2000); // a slow reader: the server must wait, not buffer
                        }
                    }
                }
                assertThat(count).isEqualTo(size);
                assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(expected);
                assertThat(server.process.isAlive()).as("no OutOfMemoryError").isTrue();
            } finally {
                ch.shutdownNow();
            }
        }
    }

    @Test
    void aServerKilledMidPutKeepsThePreviousVersionAndNothingPartial() throws Exception {
        Path config = config();
        String v1Sha;
        var server = ServerProcess.start(Map.of(), "--config", config.toString());
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.port).usePlaintext().build();
        try {
            MessageDigest d1 = MessageDigest.getInstance("SHA-256");
            v1Sha = put(stub(ch), "doc", 3 * CHUNK + 5, 1, d1, null).get(2, TimeUnit.MINUTES).getRef().getSha256();
            var killed = put(stub(ch), "doc", 256L << 20, 2, MessageDigest.getInstance("SHA-256"), () -> {
                try {
                    server.kill();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(killed).failsWithin(Duration.ofMinutes(2));
        } finally {
            ch.shutdownNow();
            server.close();
        }
        try (var restarted = ServerProcess.start(Map.of(), "--config", config.toString())) {
            ManagedChannel ch2 = NettyChannelBuilder.forAddress("127.0.0.1", restarted.port).usePlaintext().build();
            try {
                var stat = ArtifactGrpc.newBlockingStub(authenticated(ch2))
                        .stat(StatRequest.newBuilder().setNamespace("blobs").setId("doc").build());
                assertThat(stat.getFound()).isTrue();
                assertThat(stat.getMeta().getSize()).isEqualTo(3 * CHUNK + 5);
                assertThat(stat.getMeta().getSha256()).isEqualTo(v1Sha);
            } finally {
                ch2.shutdownNow();
            }
            try (Stream<Path> files = Files.walk(dir.resolve("blobs"))) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .noneMatch(n -> n.startsWith(".put-"))
                        .filteredOn(n -> n.endsWith(".data")).hasSize(1);
            }
        }
    }
}
