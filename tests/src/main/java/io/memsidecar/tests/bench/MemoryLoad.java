package io.memsidecar.tests.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.Durations;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.memsidecar.proto.episodic.v1.AppendRequest;
import io.memsidecar.proto.episodic.v1.EpisodicGrpc;
import io.memsidecar.proto.episodic.v1.Event;
import io.memsidecar.proto.episodic.v1.TailRequest;
import io.memsidecar.proto.lease.v1.AcquireRequest;
import io.memsidecar.proto.lease.v1.LeaseGrpc;
import io.memsidecar.proto.lease.v1.ReleaseRequest;
import java.nio.ByteBuffer;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.postgresql.PGConnection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Episodic and lease measurements, one JSON line each:
 * <ul>
 * <li>{@code tail-latency}: a live Tail is open; events are appended at a fixed rate and each
 * one's delay from the start of its Append call to its arrival on the tail is recorded;</li>
 * <li>{@code append}: closed-loop appends, ops/s and latency;</li>
 * <li>{@code lease}: closed-loop Acquire + Release pairs, each client on its own key;</li>
 * <li>{@code notify-latency} (baseline): {@code pg_notify} on one JDBC connection to its
 * arrival on a LISTEN connection, the floor under any push tail on PostgreSQL.</li>
 * </ul>
 */
@Command(name = "memory-load", mixinStandardHelpOptions = true)
public final class MemoryLoad implements Callable<Integer> {
    @Mixin
    LoadOptions run = new LoadOptions();
    @Option(names = "--op", required = true, description = "tail-latency | append | lease | notify-latency")
    String op;
    @Option(names = "--rate", defaultValue = "200", description = "appends per second for tail-latency")
    int rate;

    public static void main(String[] args) {
        System.exit(new CommandLine(new MemoryLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (op.equals("notify-latency")) {
            return report(notifyLatency(), run.seconds);
        }
        ManagedChannel channel = run.open();
        var ch = run.authenticated(channel);
        try {
            var episodic = EpisodicGrpc.newBlockingStub(ch);
            var lease = LeaseGrpc.newBlockingStub(ch);
            return switch (op) {
                case "tail-latency" -> report(tailLatency(episodic), run.seconds);
                case "append" -> report(closedLoop(i -> episodic.append(AppendRequest.newBuilder()
                        .setNamespace(run.namespace).setType("bench").setPayload(ByteString.copyFrom(new byte[100])).build())), run.seconds);
                case "lease" -> report(closedLoopPerClient(c -> i -> {
                    var h = lease.acquire(AcquireRequest.newBuilder().setNamespace(run.namespace).setKey("k" + c)
                            .setTtl(Durations.fromSeconds(30)).build()).getHandle();
                    lease.release(ReleaseRequest.newBuilder().setNamespace(run.namespace).setKey("k" + c)
                            .setHolderId(h.getHolderId()).build());
                }), run.seconds);
                default -> throw new IllegalArgumentException("unknown --op " + op);
            };
        } finally {
            channel.shutdownNow();
        }
    }

    private int report(long[] samples, int secs) {
        Measure.report(op, run.clients, secs, samples);
        return 0;
    }

    /** Latency from the start of each Append call to the event's arrival on a live tail. */
    private long[] tailLatency(EpisodicGrpc.EpisodicBlockingStub episodic) throws Exception {
        int total = rate * run.seconds;
        var sentAt = new java.util.concurrent.atomic.AtomicLongArray(total + 1);
        var ctx = Context.current().withCancellation();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var open = new CountDownLatch(1);
            Future<long[]> reader = pool.submit(() -> ctx.call(() -> {
                Iterator<Event> it = episodic.tail(TailRequest.newBuilder().setNamespace(run.namespace).build());
                open.countDown();
                long[] lat = new long[total];
                for (int i = 0; i < total; i++) {
                    Event e = it.next();
                    long now = System.nanoTime();
                    lat[i] = now - sentAt.get(ByteBuffer.wrap(e.getPayload().toByteArray()).getInt());
                }
                return lat;
            }));
            open.await();
            Thread.sleep(500); // the tail is at the live edge
            long interval = 1_000_000_000L / rate;
            long next = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait); // a spinning sender would starve 2 cores
                }
                sentAt.set(i, System.nanoTime());
                episodic.append(AppendRequest.newBuilder().setNamespace(run.namespace).setType("lat")
                        .setPayload(ByteString.copyFrom(ByteBuffer.allocate(4).putInt(0, i).array())).build());
                next += interval;
            }
            return reader.get();
        } finally {
            ctx.cancel(null);
        }
    }

    /** pg_notify from one connection to its arrival on another that LISTENs. */
    private long[] notifyLatency() throws Exception {
        int total = rate * run.seconds;
        try (var listen = DriverManager.getConnection(run.jdbc); var send = DriverManager.getConnection(run.jdbc)) {
            try (var st = listen.createStatement()) {
                st.execute("LISTEN memsidecar_bench");
            }
            var pg = listen.unwrap(PGConnection.class);
            long[] lat = new long[total];
            try (var st = send.prepareStatement("SELECT pg_notify('memsidecar_bench', ?)")) {
                for (int i = 0; i < total; i++) {
                    long t0 = System.nanoTime();
                    st.setString(1, Integer.toString(i));
                    st.execute();
                    while (pg.getNotifications(1000) == null) {
                        // getNotifications blocks up to 1 s; an empty answer means try again
                    }
                    lat[i] = System.nanoTime() - t0;
                }
            }
            return lat;
        }
    }

    private long[] closedLoop(Measure.Call call) throws Exception {
        return closedLoopPerClient(c -> call);
    }

    private long[] closedLoopPerClient(java.util.function.IntFunction<Measure.Call> perClient) throws Exception {
        var calls = new ArrayList<Measure.Call>();
        for (int c = 0; c < run.clients; c++) {
            calls.add(perClient.apply(c));
        }
        return Measure.closedLoop(calls, run.seconds);
    }
}
