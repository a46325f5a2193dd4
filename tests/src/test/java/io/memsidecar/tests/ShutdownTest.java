package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.memsidecar.proto.episodic.v1.AppendRequest;
import io.memsidecar.proto.episodic.v1.TailRequest;
import io.memsidecar.server.MemsidecarServer;
import io.memsidecar.server.config.ConfigLoader;
import io.memsidecar.tokens.Ed25519Keys;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regressions (issue #11) of the stop, on every listener layout while the clients' connections
 * stay open: a tail its client cancelled must not hold the shutdown until the grace period runs
 * out, and open connections (gRPC tails, and a curl tail over HTTP/1.1 — relayed to Helidon on the
 * shared grpc-netty port) must not stretch the stop past {@code shutdown_timeout} (Helidon alone
 * waits its grace period twice). Not timing benchmarks: the bounds are the configured timeout.
 */
class ShutdownTest {
    @TempDir
    Path dir;
    private String token;
    private MemsidecarServer server;
    private ManagedChannel tcp;
    private ManagedChannel uds;

    /**
     * {@code layout}: {@code shared} — gRPC on grpc-netty and HTTP/1.1 on the same port relayed to
     * Helidon (the embedded default's); {@code http-port} — HTTP on its own port; {@code helidon} —
     * Helidon serves both on one port.
     */
    private void start(String shutdownTimeout, String layout) throws Exception {
        String[] keys = Ed25519Keys.generateHex();
        Path config = dir.resolve("c.yaml");
        Files.writeString(config, """
                server: { grpc: { tcp: "127.0.0.1:0", uds: "%s"%s }, %s shutdown_timeout: %s }
                auth: { paseto: { public_key_hexes: ["%s"] } }
                backends: [ { name: mem, driver: memory } ]
                namespaces: [ { block: episodic, name: log, backend: mem } ]
                """.formatted(dir.resolve("s.sock"), layout.equals("helidon") ? ", transport: helidon" : "",
                layout.equals("http-port") ? "http: { addr: \"127.0.0.1:0\" }," : "", shutdownTimeout, keys[1]));
        server = MemsidecarServer.start(ConfigLoader.load(Optional.of(config), Map.of()));
        token = TestServer.token(keys[0], List.of("*"), List.of("*"), Duration.ofMinutes(5), Instant.now());
        tcp = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        uds = NettyChannelBuilder.forAddress(new DomainSocketAddress(dir.resolve("s.sock").toString()))
                .channelType(EpollDomainSocketChannel.class).eventLoopGroup(new EpollEventLoopGroup(1)).usePlaintext().build();
        EpisodicEndToEndTest.stub(uds, token).append(AppendRequest.newBuilder().setNamespace("log").setType("greeting").build());
    }

    /**
     * A curl tail over HTTP/1.1 (no upgrade) on the port that serves HTTP in this layout, open
     * until the server ends it; the replayed event proves it is live before the stop.
     */
    private Thread httpTail() throws Exception {
        int port = server.httpPort().orElse(server.port());
        var socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000); // a tail that never answers fails the test instead of hanging it
        socket.getOutputStream().write(("GET /v1/episodic/log/tail?after=0 HTTP/1.1\r\nHost: localhost\r\n"
                + "x-memsidecar-capability: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
        while (!in.readLine().contains("\"greeting\"")) {
            // headers and chunk sizes, until the replayed event
        }
        return Thread.ofVirtual().start(() -> {
            try (socket) {
                in.transferTo(Writer.nullWriter()); // until the server closes the connection
            } catch (IOException reset) {
                // ended by the stop too
            }
        });
    }

    /** Opens a tail on each channel; {@code cancel}: its client cancels it after a moment. Returns the client threads. */
    private List<Thread> tails(boolean cancel, ManagedChannel... channels) throws InterruptedException {
        var threads = new ArrayList<Thread>();
        for (var ch : channels) {
            var cancellable = Context.current().withCancellation();
            cancellable.run(() -> {
                var tail = EpisodicEndToEndTest.stub(ch, token).tail(TailRequest.newBuilder().setNamespace("log").build());
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        tail.hasNext();
                    } catch (RuntimeException expected) {
                        // cancelled, or ended by the shutdown
                    }
                }));
            });
            Thread.sleep(300);
            if (cancel) {
                cancellable.cancel(null);
            }
        }
        Thread.sleep(500);
        return threads;
    }

    /** Closes the server with the clients' connections open; returns how long it took. */
    private long closeMillis(List<Thread> tails) throws InterruptedException {
        try {
            long t0 = System.nanoTime();
            server.close();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            for (Thread t : tails) {
                assertThat(t.join(Duration.ofSeconds(10))).as("the tails' client calls ended").isTrue();
            }
            return ms;
        } finally {
            tcp.shutdownNow();
            uds.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"shared", "http-port", "helidon"})
    void aCancelledTailDoesNotHoldTheShutdownForTheGracePeriod(String layout) throws Exception {
        start("20s", layout);
        var threads = tails(true, tcp, uds, tcp, uds);
        threads.add(httpTail());
        long ms = closeMillis(threads);
        assertThat(ms).as("shutdown took %d ms of a 20 s grace period", ms).isLessThan(10_000);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"shared", "http-port", "helidon"})
    void openConnectionsDoNotStretchTheStopPastTheShutdownTimeout(String layout) throws Exception {
        start("4s", layout);
        var threads = tails(false, tcp, uds);
        threads.add(httpTail());
        long ms = closeMillis(threads);
        // before the fix: 8 s, Helidon waiting its grace period twice for the idle connection
        assertThat(ms).as("shutdown took %d ms with a 4 s shutdown_timeout", ms).isLessThan(7_000);
    }
}
