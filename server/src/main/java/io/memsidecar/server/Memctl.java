package io.memsidecar.server;

import com.google.protobuf.ByteString;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.memsidecar.core.GoDuration;
import io.memsidecar.core.ProtoTime;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.GetResponse;
import io.memsidecar.proto.kv.v1.KVGrpc;
import io.memsidecar.proto.kv.v1.PutRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code memctl}: keys and tokens (control plane) and a few data-plane calls over gRPC. */
@Command(name = "memctl", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "memsidecar control tool.",
        subcommands = {Memctl.GenKeypair.class, Memctl.Token.class, Memctl.Kv.class, Memctl.Graph.class, Memctl.Ns.class,
                Memctl.VersionCommand.class})
public final class Memctl {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Memctl()).execute(args));
    }

    @Command(name = "gen-keypair", description = "Print a new Ed25519 key pair (secret and public, hex).")
    static final class GenKeypair implements Callable<Integer> {
        @Override
        public Integer call() {
            String[] pair = Ed25519Keys.generateHex();
            System.out.println("secret_key_hex: " + pair[0]);
            System.out.println("public_key_hex: " + pair[1]);
            return 0;
        }
    }

    @Command(name = "version", description = "Print the version.")
    static final class VersionCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println("memctl " + Version.current());
            return 0;
        }
    }

    @Command(name = "token", description = "Capability tokens.", subcommands = {GenKeypair.class, Token.Issue.class})
    static final class Token {
        @Command(name = "issue", description = "Mint a capability token: PASETO v4.public (default) or an HS256 JWT.")
        static final class Issue implements Callable<Integer> {
            @Option(names = "--format", defaultValue = "paseto", description = "paseto (default) or jwt (HS256).")
            String format;
            @Option(names = "--secret-key-hex", defaultValue = "${env:MEMSIDECAR_PASETO_SECRET_HEX}",
                    description = "PASETO signing key (hex); default $MEMSIDECAR_PASETO_SECRET_HEX.")
            String secret;
            @Option(names = "--jwt-secret", defaultValue = "${env:MEMSIDECAR_JWT_SECRET}",
                    description = "JWT HS256 secret (at least 32 bytes); default $MEMSIDECAR_JWT_SECRET.")
            String jwtSecret;
            @Option(names = "--tenant", required = true)
            String tenant;
            @Option(names = "--agent", defaultValue = "")
            String agent;
            @Option(names = "--ns", required = true, split = ",", description = "block/name patterns, e.g. kv/*,episodic/events")
            List<String> namespaces;
            @Option(names = "--ops", split = ",", defaultValue = "get,put,delete,scan",
                    description = "Ops: * , block.verb, or a bare verb (never matches admin ops).")
            List<String> ops;
            @Option(names = "--ttl", defaultValue = "1h", description = "Go duration, e.g. 30m, 24h.")
            String ttl;
            @Option(names = "--jti", defaultValue = "")
            String jti;

            @Override
            public Integer call() {
                var grant = new PasetoTokens.Grant(tenant, agent, namespaces, ops, GoDuration.parse(ttl), jti);
                if (format.equals("jwt")) {
                    if (jwtSecret == null || jwtSecret.isBlank()) {
                        System.err.println("memctl: --jwt-secret (or MEMSIDECAR_JWT_SECRET) is required for --format jwt");
                        return 2;
                    }
                    System.out.println(JwtTokens.issueHs256(jwtSecret.getBytes(StandardCharsets.UTF_8), grant, Instant.now()));
                    return 0;
                }
                if (!format.equals("paseto")) {
                    System.err.println("memctl: --format must be paseto or jwt");
                    return 2;
                }
                if (secret == null || secret.isBlank()) {
                    System.err.println("memctl: --secret-key-hex (or MEMSIDECAR_PASETO_SECRET_HEX) is required");
                    return 2;
                }
                System.out.println(PasetoTokens.issue(Ed25519Keys.privateKey(secret), grant, Instant.now()));
                return 0;
            }
        }
    }

    /** Options every data-plane command takes. */
    static class Connection {
        @Option(names = "--addr", defaultValue = "${env:MEMSIDECAR_ADDR:-127.0.0.1:7777}",
                description = "host:port of the sidecar (default $MEMSIDECAR_ADDR or 127.0.0.1:7777).")
        String addr;
        @Option(names = "--token", defaultValue = "${env:MEMSIDECAR_TOKEN}", description = "Default $MEMSIDECAR_TOKEN.")
        String token;
        @Option(names = "--tls", description = "Connect with TLS (trusting --cacert, or the system's CAs).")
        boolean tls;
        @Option(names = "--cacert", description = "PEM CA certificate(s) to trust (implies --tls).")
        java.nio.file.Path caCert;
        @Option(names = "--cert", description = "PEM client certificate for mTLS (with --key; implies --tls).")
        java.nio.file.Path cert;
        @Option(names = "--key", description = "PEM (PKCS#8) private key of --cert.")
        java.nio.file.Path key;

        private ManagedChannel channel() {
            var builder = NettyChannelBuilder.forTarget(addr);
            if (!tls && caCert == null && cert == null) {
                return builder.usePlaintext().build();
            }
            try {
                var ssl = io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forClient();
                if (caCert != null) {
                    ssl.trustManager(caCert.toFile());
                }
                if (cert != null) {
                    ssl.keyManager(cert.toFile(), key == null ? null : key.toFile());
                }
                return builder.sslContext(ssl.build()).build();
            } catch (javax.net.ssl.SSLException e) {
                throw new IllegalArgumentException("TLS setup: " + e.getMessage(), e);
            }
        }

        /** Runs {@code call} on a fresh authenticated channel; gRPC errors become a message and exit 1. */
        int with(java.util.function.ToIntFunction<io.grpc.Channel> call) {
            ManagedChannel ch = channel();
            try {
                var headers = new Metadata();
                if (token != null && !token.isBlank()) {
                    headers.put(GrpcTransport.CAPABILITY, "Bearer " + token);
                }
                return call.applyAsInt(ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(headers)));
            } catch (StatusRuntimeException e) {
                System.err.println("memctl: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
                return 1;
            } finally {
                ch.shutdownNow();
            }
        }

        int withKv(java.util.function.ToIntFunction<KVGrpc.KVBlockingStub> call) {
            return with(ch -> call.applyAsInt(KVGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS)));
        }
    }

    @Command(name = "ns", description = "Namespaces.", subcommands = {Ns.Ls.class})
    static final class Ns {
        @Command(name = "ls", description = "List the configured namespaces (needs op admin.inspect).")
        static final class Ls extends Connection implements Callable<Integer> {
            @Override
            public Integer call() {
                return with(ch -> {
                    var r = io.memsidecar.proto.admin.v1.AdminGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS)
                            .listNamespaces(io.memsidecar.proto.admin.v1.ListNamespacesRequest.getDefaultInstance());
                    System.out.printf("%-10s %-24s %-12s %-10s %s%n", "BLOCK", "NAME", "BACKEND", "DRIVER", "ITEMS");
                    r.getNamespacesList().forEach(n -> System.out.printf("%-10s %-24s %-12s %-10s %s%n", n.getBlock(),
                            n.getName(), n.getBackend(), n.getDriver(), n.getHasCount() ? n.getItemCount() : "-"));
                    return 0;
                });
            }
        }
    }

    @Command(name = "kv", description = "KV data plane.", subcommands = {Kv.Get.class, Kv.Put.class})
    static final class Kv {
        @Command(name = "get", description = "Print a value.")
        static final class Get extends Connection implements Callable<Integer> {
            @Parameters(index = "0")
            String namespace;
            @Parameters(index = "1")
            String key;

            @Override
            public Integer call() {
                return withKv(kv -> {
                    GetResponse r = kv.get(GetRequest.newBuilder().setNamespace(namespace).setKey(key).build());
                    if (!r.getFound()) {
                        System.err.println("(not found)");
                        return 1;
                    }
                    System.out.println(r.getValue().toString(StandardCharsets.UTF_8));
                    return 0;
                });
            }
        }

        @Command(name = "put", description = "Store a value.")
        static final class Put extends Connection implements Callable<Integer> {
            @Parameters(index = "0")
            String namespace;
            @Parameters(index = "1")
            String key;
            @Parameters(index = "2")
            String value;
            @Option(names = "--ttl", description = "Go duration, e.g. 5m.")
            String ttl;

            @Override
            public Integer call() {
                var b = PutRequest.newBuilder().setNamespace(namespace).setKey(key).setValue(ByteString.copyFromUtf8(value));
                if (ttl != null) {
                    b.setTtl(ProtoTime.duration(GoDuration.parse(ttl)));
                }
                return withKv(kv -> {
                    System.out.println("ok (version " + kv.put(b.build()).getVersion() + ")");
                    return 0;
                });
            }
        }
    }

    @Command(name = "graph", description = "Graph data plane.", subcommands = {Graph.Neighbors.class})
    static final class Graph {
        @Command(name = "neighbors", description = "List a node's neighbours (both directions) and the edges to them.")
        static final class Neighbors extends Connection implements Callable<Integer> {
            @Parameters(index = "0")
            String namespace;
            @Parameters(index = "1")
            String node;
            @Option(names = "--limit", defaultValue = "0", description = "At most N nodes (0: the server's default, 50).")
            int limit;
            @Option(names = "--edge-types", split = ",", description = "Only edges of these types, e.g. KNOWS,CITES.")
            List<String> edgeTypes = List.of();

            @Override
            public Integer call() {
                return with(ch -> {
                    var r = io.memsidecar.proto.graph.v1.GraphGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS)
                            .neighbors(io.memsidecar.proto.graph.v1.NeighborsRequest.newBuilder().setNamespace(namespace)
                                    .setNodeId(node).setLimit(limit).addAllEdgeTypes(edgeTypes).build());
                    System.out.printf("%-24s %s%n", "NODE", "LABELS");
                    r.getNodesList().forEach(n -> System.out.printf("%-24s %s%n", n.getId(), String.join(",", n.getLabelsList())));
                    System.out.printf("%n%-24s %-16s %-24s %s%n", "EDGE", "TYPE", "FROM", "TO");
                    r.getEdgesList().forEach(e -> System.out.printf("%-24s %-16s %-24s %s%n", e.getId(), e.getType(),
                            e.getFrom(), e.getTo()));
                    return 0;
                });
            }
        }
    }
}
