package io.memsidecar.tests.bench;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.KVGrpc;
import io.memsidecar.proto.kv.v1.PutRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How a sidecar in its default configuration behaves when its PostgreSQL goes away and comes back:
 * how long a KV Get takes to answer UNAVAILABLE with the database down (per client deadline, and with
 * none — the server's request_timeout and connect_timeout then bound it), how long /readyz takes to
 * answer and to say DOWN, and, under a closed-loop load, how long after the database accepts
 * connections again the throughput is back to 90% of what it was. The database is stopped and started
 * by the commands given. One JSON line per measurement.
 */
@Command(name = "outage-timing", mixinStandardHelpOptions = true)
public final class OutageTiming implements Callable<Integer> {
    private static final long BUCKET_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    @Mixin
    LoadOptions run = new LoadOptions();
    @Option(names = "--stop", required = true, description = "shell command that stops the database")
    String stop;
    @Option(names = "--start", required = true, description = "shell command that starts it and returns once it accepts connections")
    String start;
    @Option(names = "--http", required = true, description = "the sidecar's HTTP base URL, for /readyz")
    String http;

    public static void main(String[] args) {
        System.exit(new CommandLine(new OutageTiming()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ManagedChannel channel = run.open();
        var kv = KVGrpc.newBlockingStub(run.authenticated(channel));
        kv.put(PutRequest.newBuilder().setNamespace(run.namespace).setKey("k").setValue(ByteString.copyFromUtf8("v")).build());
        var get = GetRequest.newBuilder().setNamespace(run.namespace).setKey("k").build();

        // 1. the database down: time to an answer, by deadline
        shell(stop);
        long stopped = System.nanoTime();
        var web = HttpClient.newHttpClient();
        var readyz = HttpRequest.newBuilder(URI.create(http + "/readyz")).build();
        long readyzSays503 = -1;
        var readyzLatencies = new ArrayList<Long>();
        for (long deadlineMs : new long[] {500, 1000, 2000, 0}) {
            var millis = new ArrayList<Long>();
            var codes = new ArrayList<String>();
            for (int i = 0; i < 5; i++) {
                long t = System.nanoTime();
                String code = "OK";
                try {
                    (deadlineMs == 0 ? kv.withDeadlineAfter(60, TimeUnit.SECONDS) : kv.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS))
                            .get(get);
                } catch (StatusRuntimeException e) {
                    code = e.getStatus().getCode().name();
                }
                millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
                codes.add(code);
                long r = System.nanoTime();
                int status = web.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode();
                readyzLatencies.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - r));
                if (status == 503 && readyzSays503 < 0) {
                    readyzSays503 = TimeUnit.NANOSECONDS.toMillis(r - stopped);
                }
            }
            System.out.printf(Locale.ROOT, "{\"measure\":\"time_to_answer\",\"deadline_ms\":%d,\"median_ms\":%d,\"max_ms\":%d,"
                    + "\"codes\":\"%s\"}%n", deadlineMs, median(millis), max(millis), String.join(" ", codes));
        }
        System.out.printf(Locale.ROOT, "{\"measure\":\"readyz\",\"down_reported_after_ms\":%d,\"answer_median_ms\":%d,"
                + "\"answer_max_ms\":%d}%n", readyzSays503, median(readyzLatencies), max(readyzLatencies));
        shell(start);
        while (web.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
            sleep(100);
        }
        sleep(3000);

        // 2. under load: throughput per 100 ms bucket through a restart
        int seconds = Math.max(20, run.seconds);
        int buckets = seconds * 10;
        var done = new AtomicLongArray(buckets);
        long t0 = System.nanoTime();
        long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
        var clients = new ArrayList<Thread>();
        for (int c = 0; c < run.clients; c++) {
            clients.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    try {
                        kv.withDeadlineAfter(2, TimeUnit.SECONDS).get(get);
                        int b = (int) ((System.nanoTime() - t0) / BUCKET_NANOS);
                        if (b < buckets) {
                            done.incrementAndGet(b);
                        }
                    } catch (StatusRuntimeException e) {
                        sleep(10);
                    }
                }
            }));
        }
        sleep(5000); // warm
        long beforeFrom = 20;
        long beforeTo = (System.nanoTime() - t0) / BUCKET_NANOS;
        shell(stop);
        sleep(3000);
        shell(start);
        long accepting = (System.nanoTime() - t0) / BUCKET_NANOS;
        for (Thread c : clients) {
            c.join();
        }
        long[] before = new long[(int) (beforeTo - beforeFrom)];
        for (int i = 0; i < before.length; i++) {
            before[i] = done.get((int) beforeFrom + i);
        }
        Arrays.sort(before);
        long normal = before[before.length / 2];
        long resumed = -1;
        for (int b = (int) accepting; b < buckets - 1; b++) {
            if (done.get(b) >= 0.9 * normal) {
                resumed = b;
                break;
            }
        }
        System.out.printf(Locale.ROOT, "{\"measure\":\"resume\",\"ops_per_100ms_before\":%d,\"resumed_after_accepting_ms\":%d,"
                + "\"clients\":%d}%n", normal, resumed < 0 ? -1 : (resumed - accepting) * 100, run.clients);
        channel.shutdownNow();
        return 0;
    }

    private static void shell(String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("failed: " + command);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long median(List<Long> values) {
        var sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElse(0);
    }
}
