package io.memsidecar.tests.bench;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.memsidecar.tests.CapabilityHeader;
import java.io.File;
import javax.net.ssl.SSLException;
import picocli.CommandLine.Option;

/** The options every load generator takes, and the authenticated channel they open. */
final class LoadOptions {
    @Option(names = "--target", defaultValue = "127.0.0.1:7788")
    String target;
    @Option(names = "--token", defaultValue = "${env:MEMSIDECAR_TOKEN}")
    String token;
    @Option(names = "--namespace", defaultValue = "bench")
    String namespace;
    @Option(names = "--clients", defaultValue = "16")
    int clients;
    @Option(names = "--seconds", defaultValue = "10")
    int seconds;
    @Option(names = "--jdbc", description = "JDBC URL of the baseline that talks to PostgreSQL directly")
    String jdbc;
    @Option(names = "--unix", description = "the sidecar's Unix socket (gRPC on grpc-netty) instead of --target")
    String unix;

    @Option(names = "--cacert", defaultValue = "${env:MEMSIDECAR_BENCH_CACERT}",
            description = "TLS to --target, trusting this PEM certificate (tests/bench: BENCH_TLS=1)")
    String cacert;

    @Option(names = "--window-mib", defaultValue = "8",
            description = "the client's HTTP/2 receive window, so a streamed Get is not paced by window updates")
    int windowMib;

    ManagedChannel open() {
        if (unix != null) {
            return NettyChannelBuilder.forAddress(new DomainSocketAddress(unix)).channelType(EpollDomainSocketChannel.class)
                    .eventLoopGroup(new EpollEventLoopGroup(1)).flowControlWindow(windowMib << 20).usePlaintext().build();
        }
        var builder = NettyChannelBuilder.forTarget(target).flowControlWindow(windowMib << 20);
        if (cacert == null) {
            return builder.usePlaintext().build();
        }
        try {
            return builder.sslContext(GrpcSslContexts.forClient().trustManager(new File(cacert)).build()).build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("--cacert " + cacert + ": " + e.getMessage(), e);
        }
    }

    Channel authenticated(ManagedChannel channel) {
        return CapabilityHeader.attach(channel, "Bearer " + token);
    }
}
