package io.memsidecar.tests.bench;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.memsidecar.tests.CapabilityHeader;
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

    ManagedChannel open() {
        return NettyChannelBuilder.forTarget(target).usePlaintext().build();
    }

    Channel authenticated(ManagedChannel channel) {
        return CapabilityHeader.attach(channel, "Bearer " + token);
    }
}
