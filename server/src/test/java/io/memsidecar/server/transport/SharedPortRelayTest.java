package io.memsidecar.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SharedPort} on its own: a grpc-netty server whose other connections are relayed to the
 * JDK's HTTP (or HTTPS) server. The cases the sidecar's end-to-end tests cannot reach: the HTTP listener gone
 * (503, not a hang), and a connection that never sends a byte (closed at the deadline).
 */
class SharedPortRelayTest {
    private final InetAddress loopback = InetAddress.getLoopbackAddress();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private HttpServer target;
    private Server server;

    private int start(Duration firstBytes) throws IOException {
        target = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        return start(firstBytes, Optional.empty());
    }

    /** Starts the target (already created) and the shared port in front of it. */
    private int start(Duration firstBytes, Optional<SslContext> tls) throws IOException {
        target.createContext("/", exchange -> {
            byte[] body = ("hello " + exchange.getRequestMethod()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        target.start();
        server = NettyServerBuilder.forAddress(new InetSocketAddress(loopback, 0),
                        SharedPort.credentials(tls, target.getAddress(), firstBytes))
                .handshakeTimeout(Long.MAX_VALUE, TimeUnit.MILLISECONDS)
                .addService(new HealthStatusManager().getHealthService())
                .build().start();
        return server.getPort();
    }

    @AfterEach
    void stop() throws InterruptedException {
        http.close();
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (target != null) {
            target.stop(0);
        }
    }

    private HttpResponse<String> get(int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + loopback.getHostAddress() + ":" + port + "/x"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void grpcStaysOnGrpcNettyAndHttpIsRelayed() throws Exception {
        int port = start(Duration.ofMinutes(1));
        assertThat(get(port).body()).isEqualTo("hello GET");
        ManagedChannel ch = NettyChannelBuilder.forAddress(loopback.getHostAddress(), port).usePlaintext().build();
        try {
            assertThat(HealthGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Over TLS a client offering only HTTP/2 (gRPC's ALPN) gets grpc-netty's TLS; one that also
     * offers HTTP/1.1 (the JDK's HttpClient, like curl) is relayed still encrypted to the HTTPS target.
     */
    @Test
    void overTlsTheAlpnOfferSortsTheConnection(@TempDir Path dir) throws Exception {
        var keys = dir.resolve("server.p12");
        var keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1",
                "-validity", "2", "-keystore", keys.toString(), "-storetype", "PKCS12", "-storepass", "secret")
                .redirectErrorStream(true).start();
        keytool.getInputStream().transferTo(OutputStream.nullOutputStream());
        assertThat(keytool.waitFor()).isZero();
        var store = KeyStore.getInstance(keys.toFile(), "secret".toCharArray());
        var kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "secret".toCharArray());
        var cert = (X509Certificate) store.getCertificate("server");
        var serverTls = SSLContext.getInstance("TLSv1.3");
        serverTls.init(kmf.getKeyManagers(), null, null);
        var https = HttpsServer.create(new InetSocketAddress(loopback, 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        target = https;
        int port = start(Duration.ofMinutes(1), Optional.of(GrpcSslContexts.configure(SslContextBuilder.forServer(kmf), SslProvider.JDK)
                .protocols("TLSv1.3").build()));

        var trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", cert);
        var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        var clientTls = SSLContext.getInstance("TLSv1.3");
        clientTls.init(null, tmf.getTrustManagers(), null);
        var request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/x")).timeout(Duration.ofSeconds(10)).build();
        try (var client = HttpClient.newBuilder().sslContext(clientTls).build()) {
            assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("hello GET");
        }
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port)
                .sslContext(GrpcSslContexts.forClient().trustManager(cert).build()).build();
        try {
            assertThat(HealthGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        // the HTTPS listener gone: the connection is closed (a plaintext 503 would be noise in TLS)
        target.stop(0);
        try (var client = HttpClient.newBuilder().sslContext(clientTls).build()) {
            assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class).isNotInstanceOf(HttpTimeoutException.class);
        }
    }

    /** The bytes a request starts with may come one write at a time; PROPFIND shares "PR" with the preface. */
    @Test
    void aConnectionIsSortedByItsFirstBytesHoweverTheyArrive() throws Exception {
        int port = start(Duration.ofMinutes(1));
        try (var socket = new Socket(loopback, port)) {
            socket.setSoTimeout(10_000);
            for (String part : new String[] {"P", "R", "OPFIND /x HTTP/1.1\r\nHost: x\r\n\r\n"}) {
                socket.getOutputStream().write(part.getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                Thread.sleep(100);
            }
            assertThat(readUntil(socket, "hello PROPFIND")).startsWith("HTTP/1.1 200 OK");
        }
    }

    /** {@code printf 'GET …' | nc -N}: a client that shuts its sending side after the request still gets the answer. */
    @Test
    void aClientThatHalfClosesAfterItsRequestStillGetsTheAnswer() throws Exception {
        int port = start(Duration.ofMinutes(1));
        try (var socket = new Socket(loopback, port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            assertThat(readUntil(socket, "hello GET")).startsWith("HTTP/1.1 200 OK");
        }
    }

    /**
     * The sidecar's plaintext case: the HTTP listener on a Unix socket from {@link SharedPort#privateSocket}
     * (a directory only this user may enter, gone with {@link SharedPort#removePrivateSocket}); the
     * request and the client's half-close cross the relay to it.
     */
    @Test
    void toAUnixSocketInADirectoryOfItsOwn() throws Exception {
        Path socket = SharedPort.privateSocket().orElseThrow(); // Linux with epoll, as CI
        try (var listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            assertThat(Files.getPosixFilePermissions(socket.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            var received = new CompletableFuture<String>();
            Thread.ofVirtual().start(() -> {
                try (SocketChannel accepted = listener.accept()) {
                    received.complete(new String(Channels.newInputStream(accepted).readAllBytes(), StandardCharsets.US_ASCII));
                    accepted.write(ByteBuffer.wrap("HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nhello UDS".getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                    received.completeExceptionally(e);
                }
            });
            server = NettyServerBuilder.forAddress(new InetSocketAddress(loopback, 0),
                            SharedPort.credentials(Optional.empty(), UnixDomainSocketAddress.of(socket), Duration.ofMinutes(1)))
                    .handshakeTimeout(Long.MAX_VALUE, TimeUnit.MILLISECONDS).build().start();
            try (var client = new Socket(loopback, server.getPort())) {
                client.setSoTimeout(10_000);
                client.getOutputStream().write("GET /x HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput(); // the listener reads to the end of its input: the half-close must arrive
                assertThat(readUntil(client, "hello UDS")).startsWith("HTTP/1.1 200 OK");
            }
            assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo("GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
        } finally {
            SharedPort.removePrivateSocket(socket);
        }
        assertThat(socket.getParent()).doesNotExist();
    }

    /** A killed sidecar's directory goes at the next start; one still listening, or just made, stays. */
    @Test
    void socketDirectoriesOfKilledSidecarsAreRemoved(@TempDir Path tmp) throws Exception {
        FileTime before = FileTime.from(Instant.now().minus(Duration.ofMinutes(5)));
        Path killed = Files.createDirectory(tmp.resolve("memsidecar-http-killed"));
        Path starting = Files.createDirectory(tmp.resolve("memsidecar-http-starting"));
        Path live = Files.createDirectory(tmp.resolve("memsidecar-http-live"));
        Path other = Files.createDirectory(tmp.resolve("something-else"));
        for (Path dir : List.of(killed, starting, other)) {
            ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(dir.resolve("http.sock"))).close();
        }
        try (var listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listening.bind(UnixDomainSocketAddress.of(live.resolve("http.sock")));
            for (Path dir : List.of(killed, live, other)) {
                Files.setLastModifiedTime(dir, before);
            }
            SharedPort.removeAbandonedSockets(tmp);
            assertThat(killed).doesNotExist();
            assertThat(starting.resolve("http.sock")).exists();
            assertThat(live.resolve("http.sock")).exists();
            assertThat(other.resolve("http.sock")).exists();
        }
    }

    @Test
    void withTheHttpListenerGoneARelayedRequestGets503() throws Exception {
        int port = start(Duration.ofMinutes(1));
        target.stop(0);
        var res = get(port);
        assertThat(res.statusCode()).isEqualTo(503);
        assertThat(res.body()).contains("HTTP listener");
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtTheDeadline() throws Exception {
        int port = start(Duration.ofMillis(300));
        try (var socket = new Socket(loopback, port)) {
            socket.setSoTimeout(10_000); // without the deadline: SocketTimeoutException
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        // a connection that has spoken is not cut by the deadline: a second request well after it
        try (var socket = new Socket(loopback, port)) {
            socket.setSoTimeout(10_000);
            byte[] request = "GET /x HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 2; i++) {
                socket.getOutputStream().write(request);
                assertThat(readUntil(socket, "hello GET")).startsWith("HTTP/1.1 200 OK");
                Thread.sleep(600);
            }
        }
    }

    private static String readUntil(Socket socket, String end) throws IOException {
        var answer = new StringBuilder();
        while (!answer.toString().endsWith(end)) {
            int c = socket.getInputStream().read();
            assertThat(c).as("closed after %s", answer).isNotNegative();
            answer.append((char) c);
        }
        return answer.toString();
    }
}
