package io.memsidecar.tests;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.memsidecar.proto.kv.v1.KVGrpc;
import io.memsidecar.server.MemsidecarServer;
import io.memsidecar.server.config.ConfigLoader;
import io.memsidecar.tokens.CapabilityTokens;
import io.memsidecar.tokens.Ed25519Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real server started in this JVM from a YAML config, on a random loopback port and a Unix
 * socket in a temp directory, with its own signing key.
 */
final class TestServer implements AutoCloseable {
    final String secretHex;
    final String publicHex;
    private final Path dir;
    final Path socket;
    final MemsidecarServer server;

    /** {@code backendsAndNamespaces} is YAML for the backends and namespaces sections. */
    TestServer(String backendsAndNamespaces, String policyYaml) {
        this(Ed25519Keys.generateHex(), backendsAndNamespaces, policyYaml, false, Map.of());
    }

    /**
     * With the HTTP listener ({@code server.http.addr}) on a random port: gRPC on TCP then goes
     * through grpc-java's Netty transport (transport {@code auto}), the HTTP routes only on that port.
     */
    static TestServer withHttpListener(String backendsAndNamespaces) {
        return withHttpListener(backendsAndNamespaces, Map.of());
    }

    /** {@link #withHttpListener(String)} with {@code MEMSIDECAR_} environment overrides. */
    static TestServer withHttpListener(String backendsAndNamespaces, Map<String, String> env) {
        return new TestServer(Ed25519Keys.generateHex(), backendsAndNamespaces, "", true, env);
    }

    /** {@link #TestServer(String, String)} with {@code MEMSIDECAR_} environment overrides. */
    static TestServer withEnv(String backendsAndNamespaces, Map<String, String> env) {
        return new TestServer(Ed25519Keys.generateHex(), backendsAndNamespaces, "", false, env);
    }

    /** A second sidecar of the same deployment: same signing key, so the same tokens work. */
    static TestServer sharingKeyWith(TestServer other, String backendsAndNamespaces, String policyYaml) {
        return new TestServer(new String[] {other.secretHex, other.publicHex}, backendsAndNamespaces, policyYaml, false, Map.of());
    }

    private TestServer(String[] keys, String backendsAndNamespaces, String policyYaml, boolean httpListener,
                       Map<String, String> env) {
        this.secretHex = keys[0];
        this.publicHex = keys[1];
        try {
            this.dir = Files.createTempDirectory("memsidecar-e2e");
            this.socket = dir.resolve("run/memsidecar.sock");
            Path config = dir.resolve("config.yaml");
            Files.writeString(config, """
                    server:
                      grpc:
                        tcp: "127.0.0.1:0"
                        uds: "%s"
                      shutdown_timeout: 2s
                    %s
                    auth:
                      paseto:
                        public_key_hexes: ["%s"]
                    %s
                    %s
                    """.formatted(socket, httpListener ? "  http: { addr: \"127.0.0.1:0\" }" : "", publicHex, policyYaml,
                    backendsAndNamespaces));
            this.server = MemsidecarServer.start(ConfigLoader.load(Optional.of(config), env));
        } catch (IOException e) {
            removeDir();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            removeDir();
            throw e;
        }
    }

    int port() {
        return server.port();
    }

    String token(List<String> namespaces, List<String> ops) {
        return token(secretHex, namespaces, ops, Duration.ofMinutes(10), Instant.now());
    }

    static String token(String secretHex, List<String> namespaces, List<String> ops, Duration ttl, Instant now) {
        return tokenFor("acme", secretHex, namespaces, ops, ttl, now);
    }

    static String tokenFor(String tenant, String secretHex, List<String> namespaces, List<String> ops, Duration ttl,
                           Instant now) {
        return CapabilityTokens.paseto(Ed25519Keys.privateKey(secretHex),
                new CapabilityTokens.Grant(tenant, "tester", namespaces, ops, ttl, ""), now);
    }

    String fullToken() {
        return token(List.of("*"), List.of("*"));
    }

    ManagedChannel tcpChannel() {
        return NettyChannelBuilder.forAddress("127.0.0.1", port()).usePlaintext().build();
    }

    ManagedChannel udsChannel() {
        return udsChannel(socket);
    }

    static ManagedChannel udsChannel(Path socket) {
        return NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(new EpollEventLoopGroup(1))
                .usePlaintext().build();
    }

    static KVGrpc.KVBlockingStub kv(ManagedChannel channel, String token) {
        return KVGrpc.newBlockingStub(CapabilityHeader.attach(channel, token == null ? null : "Bearer " + token))
                .withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Stops the server and removes its directory (config, socket, whatever a config kept there). */
    @Override
    public void close() {
        server.close();
        removeDir();
    }

    /** Best effort, and never in the way of the error that ended a start. */
    private void removeDir() {
        if (dir == null) {
            return; // the directory itself could not be made
        }
        try (var all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind fails no test
        }
    }
}
