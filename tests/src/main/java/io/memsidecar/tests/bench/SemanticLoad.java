package io.memsidecar.tests.bench;

import com.pgvector.PGvector;
import io.memsidecar.proto.semantic.v1.Record;
import io.memsidecar.proto.semantic.v1.SearchRequest;
import io.memsidecar.proto.semantic.v1.SemanticGrpc;
import io.memsidecar.proto.semantic.v1.UpsertRequest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Semantic search measurements on a reproducible data set: {@code --vectors} random vectors of
 * {@code --dims} ({@code --data uniform} or {@code latent}, fixed {@code --seed}) and
 * {@code --queries} random queries from the same distribution.
 * Exact top-10 per query is computed here by brute force (cosine), so recall@10 is measured.
 * <ul>
 * <li>{@code load}: upserts the vectors (ids v0..vN-1) in batches, prints ops/s;</li>
 * <li>{@code latency}: one client, every query through the sidecar (Search, ids_only) and
 * directly over JDBC with the same SQL shape, hnsw.ef_search and iterative-scan settings the
 * driver uses, in alternating whole passes after a warm-up pass; prints p50/p99 and recall@10
 * of both;</li>
 * <li>{@code qps}: closed-loop sidecar searches from {@code --clients} clients, plus recall.</li>
 * </ul>
 */
@Command(name = "semantic-load", mixinStandardHelpOptions = true)
public final class SemanticLoad implements Callable<Integer> {
    @Mixin
    LoadOptions run = new LoadOptions();
    @Option(names = "--op", required = true, description = "load | latency | qps")
    String op;
    @Option(names = "--vectors", defaultValue = "100000")
    int vectors;
    @Option(names = "--queries", defaultValue = "1000")
    int queries;
    @Option(names = "--dims", defaultValue = "384")
    int dims;
    @Option(names = "--seed", defaultValue = "42")
    long seed;
    @Option(names = "--ef-search", defaultValue = "100", description = "the namespace's hnsw.ef_search, for the direct query")
    int efSearch;
    @Option(names = "--table", description = "the namespace's table, for the direct query")
    String table;

    private static final int K = 10;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SemanticLoad()).execute(args));
    }

    @Option(names = "--data", defaultValue = "uniform", description = "uniform: every coordinate uniform in [-1, 1]"
            + " (no structure, the hardest case for an ANN index); latent: a fixed random linear map of 16-dim"
            + " Gaussian points plus small noise (low intrinsic dimension, like real embeddings)")
    String data;

    private static final int LATENT_DIMS = 16;

    /** {@code n} vectors of the data set; the map of the latent set depends on {@code dataSeed} only. */
    float[][] randomVectors(long pointSeed, int n) {
        var random = new Random(pointSeed);
        var out = new float[n][dims];
        if (data.equals("uniform")) {
            for (float[] v : out) {
                for (int d = 0; d < dims; d++) {
                    v[d] = random.nextFloat() * 2 - 1;
                }
            }
            return out;
        }
        if (!data.equals("latent")) {
            throw new IllegalArgumentException("unknown --data " + data);
        }
        var mapRandom = new Random(seed ^ 0x5eed);
        var map = new float[dims][LATENT_DIMS];
        for (float[] row : map) {
            for (int j = 0; j < LATENT_DIMS; j++) {
                row[j] = (float) mapRandom.nextGaussian();
            }
        }
        var z = new float[LATENT_DIMS];
        for (float[] v : out) {
            for (int j = 0; j < LATENT_DIMS; j++) {
                z[j] = (float) random.nextGaussian();
            }
            for (int d = 0; d < dims; d++) {
                float x = 0;
                for (int j = 0; j < LATENT_DIMS; j++) {
                    x += map[d][j] * z[j];
                }
                v[d] = x + (float) (0.1 * random.nextGaussian());
            }
        }
        return out;
    }

    @Override
    public Integer call() throws Exception {
        float[][] points = randomVectors(seed, vectors);
        float[][] qs = randomVectors(seed + 1, queries);
        var channel = run.open();
        try {
            var semantic = SemanticGrpc.newBlockingStub(run.authenticated(channel));
            switch (op) {
                case "load" -> load(semantic, points);
                case "latency" -> latency(semantic, qs, exact(points, qs));
                case "qps" -> qps(semantic, qs, exact(points, qs));
                default -> throw new IllegalArgumentException("unknown --op " + op);
            }
        } finally {
            channel.shutdownNow();
        }
        return 0;
    }

    private void load(SemanticGrpc.SemanticBlockingStub semantic, float[][] data) throws Exception {
        int batch = 500;
        int per = (data.length + run.clients - 1) / run.clients;
        long t0 = System.nanoTime();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(run.clients)) {
            var futures = new ArrayList<java.util.concurrent.Future<?>>();
            for (int c = 0; c < run.clients; c++) {
                int from = c * per;
                int to = Math.min(data.length, from + per);
                futures.add(pool.submit(() -> {
                    for (int i = from; i < to; i += batch) {
                        var b = UpsertRequest.newBuilder().setNamespace(run.namespace);
                        for (int j = i; j < Math.min(to, i + batch); j++) {
                            var r = Record.newBuilder().setId("v" + j);
                            for (float f : data[j]) {
                                r.addVector(f);
                            }
                            b.addRecords(r);
                        }
                        semantic.upsert(b.build());
                    }
                    return null;
                }));
            }
            for (var f : futures) {
                f.get();
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("{\"op\":\"load\",\"vectors\":%d,\"seconds\":%.1f,\"ops_per_s\":%.0f}%n", data.length, secs,
                data.length / secs);
    }

    /** Exact cosine top-10 ids per query, by brute force on all cores. */
    private static List<Set<String>> exact(float[][] data, float[][] qs) {
        double[] norms = Arrays.stream(data).mapToDouble(SemanticLoad::norm).toArray();
        return IntStream.range(0, qs.length).parallel().mapToObj(q -> {
            double qn = norm(qs[q]);
            var best = new java.util.PriorityQueue<double[]>((a, b) -> Double.compare(a[0], b[0]));
            for (int i = 0; i < data.length; i++) {
                double dot = 0;
                float[] v = data[i];
                for (int d = 0; d < v.length; d++) {
                    dot += v[d] * qs[q][d];
                }
                double s = dot / (norms[i] * qn);
                if (best.size() < K) {
                    best.add(new double[] {s, i});
                } else if (s > best.peek()[0]) {
                    best.poll();
                    best.add(new double[] {s, i});
                }
            }
            Set<String> ids = new HashSet<>();
            best.forEach(e -> ids.add("v" + (int) e[1]));
            return ids;
        }).toList();
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += f * f;
        }
        return Math.sqrt(s);
    }

    private SearchRequest request(float[] q) {
        var b = SearchRequest.newBuilder().setNamespace(run.namespace).setTopK(K).setIdsOnly(true);
        for (float f : q) {
            b.addQueryVector(f);
        }
        return b.build();
    }

    private static double recall(List<String> got, Set<String> truth) {
        return got.stream().filter(truth::contains).count() / (double) K;
    }

    private void latency(SemanticGrpc.SemanticBlockingStub semantic, float[][] qs, List<Set<String>> truth)
            throws Exception {
        try (Connection c = DriverManager.getConnection(run.jdbc)) {
            try (var st = c.createStatement()) {
                st.execute("SET hnsw.ef_search = " + efSearch + "; SET hnsw.iterative_scan = strict_order");
            }
            var direct = c.prepareStatement("SELECT id, vector <=> ? AS distance FROM " + table
                    + " WHERE scope = ? AND deleted_at IS NULL AND valid_from <= now()"
                    + " AND (valid_to IS NULL OR valid_to > now()) ORDER BY distance LIMIT ?");
            // One warm-up pass of both paths over every query (buffers and JITs hot), then whole
            // passes in turn: sidecar, direct, sidecar, direct. Whole passes, not the two paths
            // back to back per query, so neither path finds the other's pages in the CPU caches.
            var sidecarLat = new long[2 * qs.length];
            var directLat = new long[2 * qs.length];
            double sidecarRecall = 0;
            double directRecall = 0;
            for (int pass = -1; pass < 2; pass++) {
                for (int i = 0; i < qs.length; i++) {
                    long t0 = System.nanoTime();
                    var hits = semantic.search(request(qs[i])).getHitsList().stream()
                            .map(h -> h.getRecord().getId()).toList();
                    if (pass >= 0) {
                        sidecarLat[pass * qs.length + i] = System.nanoTime() - t0;
                        sidecarRecall += recall(hits, truth.get(i)) / 2;
                    }
                }
                for (int i = 0; i < qs.length; i++) {
                    long t0 = System.nanoTime();
                    var ids = directSearch(direct, qs[i]);
                    if (pass >= 0) {
                        directLat[pass * qs.length + i] = System.nanoTime() - t0;
                        directRecall += recall(ids, truth.get(i)) / 2;
                    }
                }
            }
            Measure.report("search-sidecar", 1, 0, sidecarLat);
            Measure.report("search-direct-jdbc", 1, 0, directLat);
            System.out.printf("{\"op\":\"recall\",\"sidecar_recall_at_10\":%.4f,\"direct_recall_at_10\":%.4f}%n",
                    sidecarRecall / qs.length, directRecall / qs.length);
        }
    }

    private List<String> directSearch(java.sql.PreparedStatement direct, float[] q) throws java.sql.SQLException {
        var v = new PGvector(q);
        direct.setObject(1, v);
        direct.setString(2, run.namespace); // the storage scope (no tenant isolation)
        direct.setInt(3, K);
        var ids = new ArrayList<String>();
        try (var rs = direct.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    private void qps(SemanticGrpc.SemanticBlockingStub semantic, float[][] qs, List<Set<String>> truth) throws Exception {
        double recall = 0;
        for (int i = 0; i < Math.min(100, qs.length); i++) {
            recall += recall(semantic.search(request(qs[i])).getHitsList().stream().map(h -> h.getRecord().getId())
                    .toList(), truth.get(i));
        }
        var clients = new ArrayList<Measure.Call>();
        for (int c = 0; c < run.clients; c++) {
            int offset = c * 7;
            clients.add(i -> semantic.search(request(qs[(offset + i) % qs.length])));
        }
        long[] samples = Measure.closedLoop(clients, run.seconds);
        Measure.report("search-qps", run.clients, run.seconds, samples);
        System.out.printf("{\"op\":\"recall\",\"sidecar_recall_at_10\":%.4f}%n", recall / Math.min(100, qs.length));
    }
}
