package io.memsidecar.tests.bench;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.stub.StreamObserver;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.GetResponse;
import io.memsidecar.proto.kv.v1.KVGrpc;
import io.memsidecar.proto.kv.v1.PutRequest;
import io.memsidecar.proto.kv.v1.PutResponse;
import java.io.File;
import java.net.InetSocketAddress;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The transport benchmark's baseline: a plain grpc-java Netty server (default executor, no auth,
 * no policy, no log) answering the same {@code memsidecar.kv.v1.KV} Get and Put from a map, so a
 * load generator sees the same messages as from the sidecar. With {@code --jdbc}, Put writes the
 * PostgreSQL driver's row instead (one connection, one prepared statement, calls in turn): a server
 * that is nothing but the hop and the upsert. It also serves artifacts from memory
 * ({@link InMemoryArtifacts}). Runs until killed.
 */
@Command(name = "grpc-baseline", mixinStandardHelpOptions = true)
public final class GrpcBaseline implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "7790")
    int port;

    @Option(names = "--jdbc", description = "PostgreSQL JDBC URL: Put upserts the row there instead of into the map")
    String jdbc;

    @Option(names = "--cert", description = "PEM certificate chain: TLS 1.3 on the JDK's TLS, as the sidecar serves it")
    File cert;

    @Option(names = "--key", description = "PEM private key of --cert")
    File key;

    public static void main(String[] args) {
        System.exit(new CommandLine(new GrpcBaseline()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Map<String, GetResponse> map = new ConcurrentHashMap<>();
        KvUpsert upsert = jdbc == null ? null : new KvUpsert(DriverManager.getConnection(jdbc));
        var builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port));
        if (cert != null) {
            builder.sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(cert, key), SslProvider.JDK)
                    .protocols("TLSv1.3").build());
        }
        Server server = builder
                .addService(new KVGrpc.KVImplBase() {
                    @Override
                    public void get(GetRequest request, StreamObserver<GetResponse> out) {
                        out.onNext(map.getOrDefault(request.getNamespace() + "\u001e" + request.getKey(),
                                GetResponse.getDefaultInstance()));
                        out.onCompleted();
                    }

                    @Override
                    public void put(PutRequest request, StreamObserver<PutResponse> out) {
                        if (upsert != null) {
                            synchronized (upsert) {
                                try {
                                    out.onNext(PutResponse.newBuilder().setVersion(upsert.put(request.getNamespace()
                                            + "-grpc-jdbc", request.getKey(), request.getValue().toByteArray())).build());
                                } catch (SQLException e) {
                                    out.onError(Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException());
                                    return;
                                }
                            }
                            out.onCompleted();
                            return;
                        }
                        GetResponse stored = map.compute(request.getNamespace() + "\u001e" + request.getKey(),
                                (k, old) -> GetResponse.newBuilder().setFound(true).setValue(request.getValue())
                                        .setContentType(request.getContentType())
                                        .setVersion(old == null ? 1 : old.getVersion() + 1).build());
                        out.onNext(PutResponse.newBuilder().setVersion(stored.getVersion()).build());
                        out.onCompleted();
                    }
                })
                .addService(new InMemoryArtifacts())
                .build().start();
        System.out.println("grpc-baseline listening on 127.0.0.1:" + port);
        server.awaitTermination();
        return 0;
    }
}
