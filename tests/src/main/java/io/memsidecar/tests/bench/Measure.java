package io.memsidecar.tests.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** What the load generators share: the closed loop and the one-line JSON report. */
final class Measure {
    private Measure() {
    }

    /** One client's next call; {@code i} counts its calls. */
    interface Call {
        void run(int i) throws Exception;
    }

    /** Every client calls back to back until {@code seconds} pass; all latencies in nanoseconds. */
    static long[] closedLoop(List<Call> clients, int seconds) throws Exception {
        return paced(clients, seconds, 0);
    }

    /**
     * Like {@link #closedLoop}, but with {@code rate} > 0 the clients together start {@code rate}
     * calls per second (each client its share, on a fixed schedule), for a fixed-rate load.
     */
    static long[] paced(List<Call> clients, int seconds, int rate) throws Exception {
        long begin = System.nanoTime();
        long deadline = begin + seconds * 1_000_000_000L;
        long interval = rate > 0 ? 1_000_000_000L * clients.size() / rate : 0;
        var start = new CountDownLatch(1);
        try (var pool = Executors.newFixedThreadPool(clients.size())) {
            List<Future<long[]>> futures = new ArrayList<>();
            for (Call client : clients) {
                futures.add(pool.submit(() -> {
                    long[] lat = new long[1 << 14];
                    int n = 0;
                    start.await();
                    for (int i = 0; System.nanoTime() < deadline; i++) {
                        if (interval > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(begin + i * interval - System.nanoTime());
                        }
                        long t0 = System.nanoTime();
                        client.run(i);
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, n * 2);
                        }
                        lat[n++] = System.nanoTime() - t0;
                    }
                    return Arrays.copyOf(lat, n);
                }));
            }
            start.countDown();
            var all = new ArrayList<long[]>();
            for (Future<long[]> f : futures) {
                all.add(f.get());
            }
            return all.stream().flatMapToLong(Arrays::stream).toArray();
        }
    }

    /** {@code seconds} 0: latency samples only (ops_per_s is then 0). */
    static void report(String op, int clients, int seconds, long[] samples) {
        Arrays.sort(samples);
        System.out.printf("{\"op\":\"%s\",\"clients\":%d,\"seconds\":%d,\"ops\":%d,\"ops_per_s\":%.0f,\"p50_us\":%.0f,\"p99_us\":%.0f,"
                        + "\"p999_us\":%.0f}%n",
                op, clients, seconds, samples.length, seconds > 0 ? samples.length / (double) seconds : 0.0,
                samples[(int) (samples.length * 0.50)] / 1e3, samples[(int) (samples.length * 0.99)] / 1e3,
                samples[(int) (samples.length * 0.999)] / 1e3);
    }
}
