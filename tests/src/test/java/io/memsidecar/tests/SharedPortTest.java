package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.PutRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shared port (issue #11): without {@code server.http.addr} and TLS, grpc-netty serves gRPC on
 * {@code server.grpc.tcp} and relays HTTP/1.x connections on the same port to Helidon. Both
 * protocols answer on one port, a large body crosses the relay intact both ways, a slow reader
 * holds back only its own connection, and a connection is sorted by its first bytes however they
 * arrive.
 */
class SharedPortTest {
    private static final int MIB = 1 << 20;
    private static final String BACKENDS = """
            backends:
              - { name: mem, driver: memory }
            namespaces:
              - { block: kv, name: notes, backend: mem }
              - { block: artifact, name: blobs, backend: mem }
            """;
    private TestServer server;
    private HttpClient http;

    @BeforeEach
    void start() {
        server = new TestServer(BACKENDS, "");
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        http.close();
        if (server != null) {
            server.close();
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(60)).header("x-memsidecar-capability", "Bearer " + server.fullToken());
    }

    @Test
    void grpcAndHttpAnswerOnOnePort() throws Exception {
        assertThat(server.server.httpPort()).isEmpty();
        ManagedChannel ch = server.tcpChannel();
        try {
            var kv = TestServer.kv(ch, server.fullToken());
            kv.put(PutRequest.newBuilder().setNamespace("notes").setKey("k").setValue(ByteString.copyFromUtf8("v")).build());
            var get = http.send(request("/v1/kv/notes/k").GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(get.body()).isEqualTo("v");
            // an HTTP/1.1 request that upgrades to h2c is relayed too, and Helidon answers it over HTTP/2
            try (var upgrading = HttpClient.newHttpClient()) {
                var put = upgrading.send(request("/v1/kv/notes/h2").PUT(HttpRequest.BodyPublishers.ofString("w")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(put.statusCode()).isEqualTo(200);
                var h2 = upgrading.send(request("/v1/kv/notes/h2").GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);
                assertThat(h2.body()).isEqualTo("w");
            }
            assertThat(kv.get(GetRequest.newBuilder().setNamespace("notes").setKey("h2").build()).getValue().toStringUtf8())
                    .isEqualTo("w");
            assertThat(http.send(request("/readyz").GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aLargeBodyCrossesTheRelayIntactAndASlowReaderHoldsBackOnlyItself() throws Exception {
        byte[] bytes = new byte[48 * MIB];
        new Random(11).nextBytes(bytes);
        var put = http.send(request("/v1/artifacts/blobs/big").PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(put.headers().firstValue("ETag")).hasValue("\"" + sha256(bytes) + "\"");

        var slow = http.send(request("/v1/artifacts/blobs/big").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(slow.statusCode()).isEqualTo(200);
        var digest = MessageDigest.getInstance("SHA-256");
        try (InputStream body = slow.body()) {
            digest.update(body.readNBytes(MIB));
            // the reader stalls with most of the artifact still to come: the relay stops reading from
            // Helidon for this connection only, and other connections on the port are served meanwhile
            ManagedChannel ch = server.tcpChannel();
            try {
                var kv = TestServer.kv(ch, server.fullToken());
                kv.put(PutRequest.newBuilder().setNamespace("notes").setKey("during").setValue(ByteString.copyFromUtf8("x")).build());
                assertThat(http.send(request("/v1/kv/notes/during").GET().build(), HttpResponse.BodyHandlers.ofString()).body())
                        .isEqualTo("x");
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            Thread.sleep(300);
            byte[] chunk = new byte[64 * 1024];
            for (int n; (n = body.read(chunk)) > 0; ) {
                digest.update(chunk, 0, n);
            }
        }
        assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(sha256(bytes));
    }

    /** The first byte alone ({@code P} of PUT or of the HTTP/2 preface) is not enough to decide: the next ones are awaited. */
    @Test
    void aConnectionIsSortedByItsFirstBytesHoweverTheyArrive() throws Exception {
        try (var socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            String auth = "x-memsidecar-capability: Bearer " + server.fullToken() + "\r\n";
            out.write('P');
            out.flush();
            Thread.sleep(200);
            // the rest of a PUT, then a second request pipelined behind it in the same write
            out.write(("UT /v1/kv/notes/split HTTP/1.1\r\nHost: localhost\r\n" + auth + "Content-Length: 5\r\n\r\nsplit"
                    + "GET /v1/kv/notes/split HTTP/1.1\r\nHost: localhost\r\n" + auth + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answers = readUntil(socket.getInputStream(), "\r\n\r\nsplit");
            assertThat(answers).startsWith("HTTP/1.1 200 OK").contains("\"version\":\"1\"");
        }
    }

    /**
     * Helidon listens behind the relay on a Unix socket in a directory only this user may enter, not
     * on a second TCP port the other containers of a pod could reach; the socket goes at stop.
     */
    @Test
    @Timeout(60)
    void theRelayedListenerIsAPrivateUnixSocketRemovedAtStop() throws Exception {
        Path socket = server.server.relaySocket().orElseThrow();
        assertThat(Files.getPosixFilePermissions(socket.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        try (var channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.wrap("GET /readyz HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            assertThat(readUntil(Channels.newInputStream(channel), "{\"status\":\"UP\"")).startsWith("HTTP/1.1 200 OK");
        }
        server.close();
        server = null;
        assertThat(socket.getParent()).doesNotExist();
    }

    /** A start that cannot take its gRPC port stops the HTTP listener it had started and removes its socket. */
    @Test
    void aStartThatCannotListenLeavesNoListenerBehind() throws Exception {
        try (var taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Set<String> before = listeningRelaySockets();
            assertThatThrownBy(() -> TestServer.withEnv(BACKENDS,
                    Map.of("MEMSIDECAR_SERVER__GRPC__TCP", "127.0.0.1:" + taken.getLocalPort()))).hasMessageContaining("cannot listen");
            assertThat(listeningRelaySockets()).isSubsetOf(before);
            assertThat(before).isNotEmpty(); // this class's own server: the check sees relay sockets
        }
    }

    /**
     * The relay sockets listening on this machine: /proc/net/unix lists every Unix socket with its
     * flags (listening: __SO_ACCEPTCON) and path, also once the path is deleted, until it is closed.
     */
    private static Set<String> listeningRelaySockets() throws IOException {
        try (var lines = Files.lines(Path.of("/proc/net/unix"))) {
            return lines.map(l -> l.trim().split("\\s+"))
                    .filter(f -> f.length == 8 && f[3].equals("00010000") && f[7].contains("/memsidecar-http-"))
                    .map(f -> f[7]).collect(Collectors.toSet());
        }
    }

    /** {@code printf 'GET /readyz …' | nc -N}: the half-close reaches Helidon, which still answers. */
    @Test
    void aClientThatHalfClosesAfterItsRequestStillGetsTheAnswer() throws Exception {
        try (var socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /readyz HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            assertThat(readUntil(socket.getInputStream(), "{\"status\":\"UP\"")).startsWith("HTTP/1.1 200 OK");
        }
    }

    private static String readUntil(InputStream in, String end) throws Exception {
        var seen = new StringBuilder();
        while (!seen.toString().endsWith(end)) {
            int b = in.read();
            assertThat(b).as("connection ended after: %s", seen).isNotNegative();
            seen.append((char) b);
        }
        return seen.toString();
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
