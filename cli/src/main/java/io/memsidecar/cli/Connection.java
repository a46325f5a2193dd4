package io.memsidecar.cli;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import picocli.CommandLine.Option;

/** The options of every command that talks to a sidecar (spec §11), and the channel they describe. */
final class Connection implements AutoCloseable {
    /** The capability header of the wire contract. */
    static final Metadata.Key<String> CAPABILITY = Metadata.Key.of("x-memsidecar-capability", Metadata.ASCII_STRING_MARSHALLER);

    @Option(names = "--addr", defaultValue = "${env:MEMSIDECAR_ADDR:-127.0.0.1:7777}", paramLabel = "HOST:PORT",
            description = "The sidecar's gRPC address, or unix:/path (default $MEMSIDECAR_ADDR or ${DEFAULT-VALUE}).")
    String addr;
    @Option(names = "--unix", paramLabel = "PATH", description = "Connect to the sidecar's Unix socket instead of --addr.")
    Path unix;
    @Option(names = "--token", defaultValue = "${env:MEMSIDECAR_TOKEN}", paramLabel = "TOKEN",
            description = "Capability token (default $MEMSIDECAR_TOKEN).")
    String token;
    @Option(names = "--tls", description = "Connect with TLS (trusting --cacert, or the system's CAs).")
    boolean tls;
    @Option(names = "--cacert", paramLabel = "PEM", description = "CA certificate(s) to trust (implies --tls).")
    Path caCert;
    @Option(names = "--cert", paramLabel = "PEM", description = "Client certificate for mTLS (with --key; implies --tls).")
    Path cert;
    @Option(names = "--key", paramLabel = "PEM", description = "PKCS#8 private key of --cert.")
    Path key;
    @Option(names = "--timeout", defaultValue = "20s", paramLabel = "DURATION",
            description = "Deadline of each call, e.g. 5s (default ${DEFAULT-VALUE}; streams have none).")
    String timeout;
    @Option(names = "--output", defaultValue = "table", paramLabel = "FORMAT",
            description = "table (default) or json (one JSON object per line, for jq).")
    Out.Format output;

    private ManagedChannel channel;
    private EpollEventLoopGroup loop;

    /** The channel, with the capability header on every call. */
    Channel channel() {
        if (channel == null) {
            channel = open();
        }
        var headers = new Metadata();
        if (token != null && !token.isBlank()) {
            headers.put(CAPABILITY, "Bearer " + token.strip());
        }
        return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private ManagedChannel open() {
        Path socket = unix != null ? unix : addr.startsWith("unix:") ? Path.of(addr.substring(5).replaceFirst("^//", "")) : null;
        NettyChannelBuilder builder;
        if (socket != null) {
            loop = new EpollEventLoopGroup(1);
            builder = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toAbsolutePath().toString()))
                    .channelType(EpollDomainSocketChannel.class).eventLoopGroup(loop);
        } else {
            builder = NettyChannelBuilder.forTarget(addr);
        }
        builder.maxInboundMessageSize(64 << 20);
        if (!tls && caCert == null && cert == null) {
            return builder.usePlaintext().build();
        }
        try {
            var ssl = GrpcSslContexts.forClient();
            if (caCert != null) {
                ssl.trustManager(caCert.toFile());
            }
            if (cert != null) {
                if (key == null) {
                    throw new IllegalArgumentException("--cert needs --key");
                }
                ssl.keyManager(cert.toFile(), key.toFile());
            }
            return builder.sslContext(ssl.build()).build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("TLS setup: " + e.getMessage(), e);
        }
    }

    /** A blocking stub with the call deadline. */
    <S extends AbstractStub<S>> S unary(Function<Channel, S> stub) {
        Duration d = io.memsidecar.core.GoDuration.parse(timeout);
        return stub.apply(channel()).withDeadlineAfter(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A stub without a deadline (tails, artifact transfers). */
    <S extends AbstractStub<S>> S streaming(Function<Channel, S> stub) {
        return stub.apply(channel());
    }

    Out out() {
        return new Out(output);
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (loop != null) {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
