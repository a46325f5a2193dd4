package io.memsidecar.tests.bench;

import com.google.protobuf.ByteString;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.KVGrpc;
import io.memsidecar.proto.kv.v1.PutRequest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A closed-loop load generator: N clients, each issuing calls back to back for a fixed time,
 * reporting ops/s and latency percentiles as one JSON line. Targets a sidecar over gRPC, or (the
 * baseline) PostgreSQL directly over JDBC with the same row shape as the KV driver writes.
 */
@Command(name = "kv-load", mixinStandardHelpOptions = true)
public final class KvLoad implements Callable<Integer> {
    @Option(names = "--target", defaultValue = "127.0.0.1:7788")
    String target;
    @Option(names = "--token", defaultValue = "${env:MEMSIDECAR_TOKEN}")
    String token;
    @Option(names = "--op", defaultValue = "get", description = "get | put | jdbc-put")
    String op;
    @Option(names = "--namespace", defaultValue = "bench")
    String namespace;
    @Option(names = "--clients", defaultValue = "16")
    int clients;
    @Option(names = "--seconds", defaultValue = "10")
    int seconds;
    @Option(names = "--warmup-seconds", defaultValue = "3")
    int warmup;
    @Option(names = "--value-size", defaultValue = "100")
    int valueSize;
    @Option(names = "--keys", defaultValue = "10000")
    int keys;
    @Option(names = "--jdbc", description = "JDBC URL for --op jdbc-put")
    String jdbc;

    public static void main(String[] args) {
        System.exit(new CommandLine(new KvLoad()).execute(args));
    }


    @Override
    public Integer call() throws Exception {
        byte[] value = new byte[valueSize];
        Arrays.fill(value, (byte) 'x');
        ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
        var headers = new Metadata();
        headers.put(Metadata.Key.of("x-memsidecar-capability", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        var stub = KVGrpc.newBlockingStub(ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)));
        if (op.equals("get")) {
            for (int k = 0; k < keys; k++) {
                stub.put(PutRequest.newBuilder().setNamespace(namespace).setKey("key:" + k)
                        .setValue(ByteString.copyFrom(value)).build());
            }
        }
        List<Measure.Call> perThread = new ArrayList<>();
        List<Connection> connections = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            perThread.add(switch (op) {
                case "get" -> i -> stub.get(GetRequest.newBuilder().setNamespace(namespace).setKey("key:" + (i % keys)).build());
                case "put" -> i -> stub.put(PutRequest.newBuilder().setNamespace(namespace).setKey("key:" + (i % keys))
                        .setValue(ByteString.copyFrom(value)).build());
                case "jdbc-put" -> {
                    Connection conn = DriverManager.getConnection(jdbc);
                    connections.add(conn);
                    PreparedStatement st = conn.prepareStatement("""
                            INSERT INTO kv_items AS t (namespace, key, value, content_type, metadata, version, created_at, updated_at, expires_at)
                            VALUES (?, ?, ?, '', '{}'::jsonb, 1, now(), now(), NULL)
                            ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, content_type = EXCLUDED.content_type,
                              metadata = EXCLUDED.metadata, version = t.version + 1, updated_at = now(), expires_at = EXCLUDED.expires_at
                            RETURNING key, value, content_type, metadata::text, version, created_at, expires_at""");
                    yield i -> {
                        st.setString(1, namespace + "-jdbc");
                        st.setString(2, "key:" + (i % keys));
                        st.setBytes(3, value);
                        st.executeQuery().close();
                    };
                }
                default -> throw new IllegalArgumentException("unknown --op " + op);
            });
        }
        Measure.closedLoop(perThread, warmup);
        Measure.report(op, clients, seconds, Measure.closedLoop(perThread, seconds));
        for (Connection c : connections) {
            c.close();
        }
        channel.shutdownNow();
        return 0;
    }
}
