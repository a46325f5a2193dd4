package io.memsidecar.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * A connection to a memsidecar: one gRPC channel, the capability token on every call, and a
 * client per block. Blocking calls meant for virtual threads; thread-safe; close it when done.
 *
 * <pre>{@code
 * try (var memory = MemSidecar.connect("127.0.0.1:7777", token)) {
 *     memory.kv().put("agent-state", "user:42", "fr", PutOptions.ttl(Duration.ofHours(24)));
 *     Optional<KvEntry> e = memory.kv().get("agent-state", "user:42");
 * }
 * }</pre>
 */
public final class MemSidecar implements AutoCloseable {
    /** The capability header of the wire contract. */
    public static final Metadata.Key<String> CAPABILITY =
            Metadata.Key.of("x-memsidecar-capability", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel managed;
    private final Channel channel;
    private final EpollEventLoopGroup loop;
    private final Duration deadline;
    private final int uploadChunk;
    private final Kv kv;
    private final Episodic episodic;
    private final Semantic semantic;
    private final Artifacts artifacts;
    private final Leases leases;
    private final Graph graph;
    private final Recall recall;
    private final Admin admin;

    private MemSidecar(Builder b) {
        Path socket = b.unixSocket != null ? b.unixSocket
                : b.target.startsWith("unix:") ? Path.of(b.target.substring(5).replaceFirst("^//", "")) : null;
        NettyChannelBuilder nb;
        if (socket != null) {
            loop = new EpollEventLoopGroup(1);
            nb = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toAbsolutePath().toString()))
                    .channelType(EpollDomainSocketChannel.class).eventLoopGroup(loop);
        } else {
            loop = null;
            nb = NettyChannelBuilder.forTarget(b.target);
        }
        nb.maxInboundMessageSize(b.maxMessageBytes);
        if (b.maxAttempts > 1) {
            nb.defaultServiceConfig(retryConfig(b.maxAttempts)).enableRetry();
        } else {
            nb.disableRetry();
        }
        if (b.tls || b.trustCertificates != null || b.clientCertificate != null) {
            try {
                var ssl = GrpcSslContexts.forClient();
                if (b.trustCertificates != null) {
                    ssl.trustManager(b.trustCertificates.toFile());
                }
                if (b.clientCertificate != null) {
                    ssl.keyManager(b.clientCertificate.toFile(), b.clientKey.toFile());
                }
                nb.sslContext(ssl.build());
            } catch (SSLException e) {
                throw new IllegalArgumentException("TLS setup: " + e.getMessage(), e);
            }
        } else {
            nb.usePlaintext();
        }
        this.managed = nb.build();
        this.channel = b.token == null || b.token.isBlank() ? managed
                : ClientInterceptors.intercept(managed, new TokenInterceptor("Bearer " + b.token.strip()));
        this.deadline = b.deadline;
        this.uploadChunk = b.uploadChunk;
        this.kv = new Kv(this);
        this.episodic = new Episodic(this);
        this.semantic = new Semantic(this);
        this.artifacts = new Artifacts(this);
        this.leases = new Leases(this);
        this.graph = new Graph(this);
        this.recall = new Recall(this);
        this.admin = new Admin(this);
    }

    /** A client for {@code target} ({@code host:port} or {@code unix:/path/to.sock}), plaintext, with the token. */
    public static MemSidecar connect(String target, String token) {
        return builder().target(target).token(token).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Kv kv() {
        return kv;
    }

    public Episodic episodic() {
        return episodic;
    }

    public Semantic semantic() {
        return semantic;
    }

    public Artifacts artifact() {
        return artifacts;
    }

    public Leases lease() {
        return leases;
    }

    public Graph graph() {
        return graph;
    }

    public Recall recall() {
        return recall;
    }

    public Admin admin() {
        return admin;
    }

    /** The authenticated channel, for calls this API does not cover (e.g. generated stubs). */
    public Channel channel() {
        return channel;
    }

    /** The deadline of unary calls. */
    Duration deadline() {
        return deadline;
    }

    /** Bytes per message of an artifact upload. */
    int uploadChunk() {
        return uploadChunk;
    }

    /** A stub of {@code channel()} with the unary deadline. */
    <S extends io.grpc.stub.AbstractStub<S>> S unary(java.util.function.Function<Channel, S> stub) {
        return stub.apply(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        managed.shutdown();
        try {
            if (!managed.awaitTermination(5, TimeUnit.SECONDS)) {
                managed.shutdownNow();
            }
        } catch (InterruptedException e) {
            managed.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (loop != null) {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Retries UNAVAILABLE with backoff, on the calls that are safe to repeat. */
    private static Map<String, Object> retryConfig(int maxAttempts) {
        var names = new ArrayList<Map<String, Object>>();
        IDEMPOTENT.forEach((service, methods) -> methods.forEach(m -> names.add(Map.of("service", service, "method", m))));
        Map<String, Object> policy = Map.of("maxAttempts", (double) maxAttempts, "initialBackoff", "0.1s", "maxBackoff", "2s",
                "backoffMultiplier", 2.0, "retryableStatusCodes", List.of("UNAVAILABLE"));
        return Map.of("methodConfig", List.of(Map.of("name", names, "retryPolicy", policy)));
    }

    /** Reads, deletes and the graph's upserts (idempotent by the spec). */
    private static final Map<String, List<String>> IDEMPOTENT = Map.of(
            "memsidecar.kv.v1.KV", List.of("Get", "MultiGet", "Scan", "Delete"),
            "memsidecar.episodic.v1.Episodic", List.of("Range"),
            "memsidecar.semantic.v1.Semantic", List.of("Search", "Get", "Delete"),
            "memsidecar.artifact.v1.Artifact", List.of("Get", "Stat", "List", "Delete"),
            "memsidecar.lease.v1.Lease", List.of("Inspect", "List"),
            "memsidecar.graph.v1.Graph", List.of("GetNode", "Neighbors", "Traverse", "UpsertNodes", "UpsertEdges",
                    "DeleteNode", "DeleteEdge"),
            "memsidecar.admin.v1.Admin", List.of("ListNamespaces"));

    private record TokenInterceptor(String value) implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    headers.put(CAPABILITY, value);
                    super.start(listener, headers);
                }
            };
        }
    }

    /** How to reach the sidecar. */
    public static final class Builder {
        private String target = "127.0.0.1:7777";
        private Path unixSocket;
        private String token;
        private boolean tls;
        private Path trustCertificates;
        private Path clientCertificate;
        private Path clientKey;
        private Duration deadline = Duration.ofSeconds(20);
        private int maxAttempts = 3;
        private int maxMessageBytes = 64 << 20;
        private int uploadChunk = Artifacts.CHUNK;

        private Builder() {
        }

        /** {@code host:port}, a gRPC target URI, or {@code unix:/path/to.sock}. */
        public Builder target(String target) {
            this.target = Objects.requireNonNull(target);
            return this;
        }

        /** The sidecar's Unix socket (e.g. the shared emptyDir of a Kubernetes pod). */
        public Builder unixSocket(Path socket) {
            this.unixSocket = socket;
            return this;
        }

        /** The capability token (PASETO or JWT); sent as {@code x-memsidecar-capability: Bearer …}. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /** TLS with the system's trusted CAs. */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /** TLS trusting the CA certificate(s) in this PEM file. */
        public Builder trustCertificates(Path pem) {
            this.trustCertificates = pem;
            return this;
        }

        /** mTLS: the client certificate and its PKCS#8 key (PEM). */
        public Builder clientCertificate(Path certificatePem, Path keyPem) {
            this.clientCertificate = Objects.requireNonNull(certificatePem);
            this.clientKey = Objects.requireNonNull(keyPem);
            return this;
        }

        /** The deadline of each unary call (default 20 s); streams have none. */
        public Builder deadline(Duration deadline) {
            this.deadline = Objects.requireNonNull(deadline);
            return this;
        }

        /** Attempts of an idempotent call that meets UNAVAILABLE (default 3; 1 = no retries). */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * Bytes per message of an artifact upload (default {@link Artifacts#CHUNK}, 1 MiB). Lower it
         * only for a sidecar whose {@code limits.max_message_bytes} is below that.
         */
        public Builder uploadChunkBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("uploadChunkBytes must be at least 1");
            }
            this.uploadChunk = bytes;
            return this;
        }

        public MemSidecar build() {
            return new MemSidecar(this);
        }
    }
}
