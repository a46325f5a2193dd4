package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.memsidecar.proto.episodic.v1.TailRequest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Regression (issue #11): a tail its client cancelled must not hold the shutdown until the grace
 * period runs out, on either listener, while the client's connections stay open. Not a timing
 * benchmark: the grace period is 20 s and the check is only that closing returns well before it.
 */
class ShutdownTest {
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;

    @Test
    void aCancelledTailDoesNotHoldTheShutdownForTheGracePeriod() throws Exception {
        String[] keys = io.memsidecar.server.Ed25519Keys.generateHex();
        var config = dir.resolve("c.yaml");
        java.nio.file.Files.writeString(config, """
                server: { grpc: { tcp: "127.0.0.1:0", uds: "%s" }, shutdown_timeout: 20s }
                auth: { paseto: { public_key_hexes: ["%s"] } }
                backends: [ { name: mem, driver: memory } ]
                namespaces: [ { block: episodic, name: log, backend: mem } ]
                """.formatted(dir.resolve("s.sock"), keys[1]));
        var server = io.memsidecar.server.MemsidecarServer.start(io.memsidecar.server.ConfigLoader.load(
                java.util.Optional.of(config), java.util.Map.of()));
        String token = TestServer.token(keys[0], java.util.List.of("*"), java.util.List.of("*"),
                java.time.Duration.ofMinutes(5), java.time.Instant.now());
        var channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", server.port())
                .usePlaintext().build();
        var uds = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress(
                        new io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress(dir.resolve("s.sock").toString()))
                .channelType(io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel.class)
                .eventLoopGroup(new io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup(1)).usePlaintext().build();
        try {
            var tails = new java.util.ArrayList<Thread>();
            for (var ch : new io.grpc.ManagedChannel[] {channel, uds, channel, uds}) {
                var cancellable = Context.current().withCancellation();
                cancellable.run(() -> {
                    var tail = EpisodicEndToEndTest.stub(ch, token).tail(TailRequest.newBuilder().setNamespace("log").build());
                    tails.add(Thread.ofVirtual().start(() -> {
                        try {
                            tail.hasNext();
                        } catch (RuntimeException expected) {
                            // cancelled, or ended by the shutdown
                        }
                    }));
                });
                Thread.sleep(300);
                cancellable.cancel(null);
            }
            Thread.sleep(500);
            // the clients' connections stay open through the shutdown
            long t0 = System.nanoTime();
            server.close();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(ms).as("shutdown took %d ms of a 20 s grace period", ms).isLessThan(10_000);
            for (Thread t : tails) {
                assertThat(t.join(java.time.Duration.ofSeconds(10))).as("the tails' client calls ended").isTrue();
            }
        } finally {
            channel.shutdownNow();
            uds.shutdownNow();
        }
    }
}
