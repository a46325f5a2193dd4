package io.memsidecar.cli;

import io.grpc.Channel;
import io.grpc.stub.AbstractStub;
import io.memsidecar.client.MemSidecar;
import io.memsidecar.core.GoDuration;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The options of every command that talks to a sidecar (spec §11), and the SDK client they describe.
 * Declared once on {@code memctl} and inherited by every subcommand, so they go before, between or after
 * the subcommands. */
final class Connection implements AutoCloseable {
    @Option(scope = ScopeType.INHERIT, names = "--addr", defaultValue = "${env:MEMSIDECAR_ADDR:-127.0.0.1:7777}", paramLabel = "HOST:PORT",
            description = "The sidecar's gRPC address, or unix:/path (default $MEMSIDECAR_ADDR or ${DEFAULT-VALUE}).")
    String addr;
    @Option(scope = ScopeType.INHERIT, names = "--unix", paramLabel = "PATH", description = "Connect to the sidecar's Unix socket instead of --addr.")
    Path unix;
    @Option(scope = ScopeType.INHERIT, names = "--token", defaultValue = "${env:MEMSIDECAR_TOKEN}", paramLabel = "TOKEN",
            description = "Capability token (default $MEMSIDECAR_TOKEN).")
    String token;
    @Option(scope = ScopeType.INHERIT, names = "--tls", description = "Connect with TLS (trusting --cacert, or the system's CAs).")
    boolean tls;
    @Option(scope = ScopeType.INHERIT, names = "--cacert", paramLabel = "PEM", description = "CA certificate(s) to trust (implies --tls).")
    Path caCert;
    @Option(scope = ScopeType.INHERIT, names = "--cert", paramLabel = "PEM", description = "Client certificate for mTLS (with --key; implies --tls).")
    Path cert;
    @Option(scope = ScopeType.INHERIT, names = "--key", paramLabel = "PEM", description = "PKCS#8 private key of --cert.")
    Path key;
    @Option(scope = ScopeType.INHERIT, names = "--timeout", defaultValue = "20s", paramLabel = "DURATION",
            description = "Deadline of each call, e.g. 5s (default ${DEFAULT-VALUE}; streams have none).")
    String timeout;
    @Option(scope = ScopeType.INHERIT, names = "--output", defaultValue = "table", paramLabel = "FORMAT",
            description = "table (default) or json (one JSON object per line, for jq).")
    Out.Format output;

    private MemSidecar client;

    /** The client these options describe (built once). */
    MemSidecar client() {
        if (client == null) {
            var b = MemSidecar.builder().target(addr).token(token).deadline(GoDuration.parse(timeout));
            if (unix != null) {
                b.unixSocket(unix);
            }
            if (tls) {
                b.tls();
            }
            if (caCert != null) {
                b.trustCertificates(caCert);
            }
            if (cert != null || key != null) {
                if (cert == null || key == null) {
                    throw new IllegalArgumentException("--cert and --key go together");
                }
                b.clientCertificate(cert, key);
            }
            client = b.build();
        }
        return client;
    }

    /** The authenticated channel. */
    Channel channel() {
        return client().channel();
    }

    /** A blocking stub with the call deadline. */
    <S extends AbstractStub<S>> S unary(Function<Channel, S> stub) {
        return stub.apply(channel()).withDeadlineAfter(GoDuration.parse(timeout).toMillis(), TimeUnit.MILLISECONDS);
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
        if (client != null) {
            client.close();
        }
    }
}
