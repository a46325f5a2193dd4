package io.memsidecar.tests.bench;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.KVGrpc;
import io.memsidecar.proto.kv.v1.PutRequest;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A closed-loop load generator: N clients, each issuing calls back to back for a fixed time,
 * reporting ops/s and latency percentiles as one JSON line. Targets a sidecar over gRPC, or (the
 * baseline) PostgreSQL directly over JDBC with the same row shape as the KV driver writes.
 */
@Command(name = "kv-load", mixinStandardHelpOptions = true)
public final class KvLoad implements Callable<Integer> {
    @Mixin
    LoadOptions run = new LoadOptions();
    @Option(names = "--op", defaultValue = "get", description = "get | put | jdbc-put")
    String op;
    @Option(names = "--warmup-seconds", defaultValue = "3")
    int warmup;
    @Option(names = "--value-size", defaultValue = "100")
    int valueSize;
    @Option(names = "--keys", defaultValue = "10000")
    int keys;
    @Option(names = "--rate", defaultValue = "0", description = "calls per second of all clients together; 0 = closed loop")
    int rate;

    public static void main(String[] args) {
        System.exit(new CommandLine(new KvLoad()).execute(args));
    }


    @Override
    public Integer call() throws Exception {
        byte[] value = new byte[valueSize];
        Arrays.fill(value, (byte) 'x');
        ManagedChannel channel = run.open();
        var stub = KVGrpc.newBlockingStub(run.authenticated(channel));
        if (op.equals("get")) {
            for (int k = 0; k < keys; k++) {
                stub.put(PutRequest.newBuilder().setNamespace(run.namespace).setKey("key:" + k)
                        .setValue(ByteString.copyFrom(value)).build());
            }
        }
        List<Measure.Call> perThread = new ArrayList<>();
        List<KvUpsert> upserts = new ArrayList<>();
        for (int c = 0; c < run.clients; c++) {
            perThread.add(switch (op) {
                case "get" -> i -> stub.get(GetRequest.newBuilder().setNamespace(run.namespace).setKey("key:" + (i % keys)).build());
                case "put" -> i -> stub.put(PutRequest.newBuilder().setNamespace(run.namespace).setKey("key:" + (i % keys))
                        .setValue(ByteString.copyFrom(value)).build());
                case "jdbc-put" -> {
                    var upsert = new KvUpsert(DriverManager.getConnection(run.jdbc));
                    upserts.add(upsert);
                    yield i -> upsert.put(run.namespace + "-jdbc", "key:" + (i % keys), value);
                }
                default -> throw new IllegalArgumentException("unknown --op " + op);
            });
        }
        Measure.paced(perThread, warmup, rate);
        Measure.report(op, run.clients, run.seconds, Measure.paced(perThread, run.seconds, rate));
        for (KvUpsert u : upserts) {
            u.close();
        }
        channel.shutdownNow();
        return 0;
    }
}
