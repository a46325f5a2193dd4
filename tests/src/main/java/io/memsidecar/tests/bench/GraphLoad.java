package io.memsidecar.tests.bench;

import io.memsidecar.core.Options;
import io.memsidecar.core.spi.Backend;
import io.memsidecar.core.spi.BackendSpec;
import io.memsidecar.driver.memory.MemoryBackendProvider;
import io.memsidecar.driver.postgres.PostgresBackendProvider;
import io.memsidecar.graph.GraphService;
import io.memsidecar.graph.spi.Direction;
import io.memsidecar.graph.spi.GraphEdge;
import io.memsidecar.graph.spi.GraphNode;
import io.memsidecar.graph.spi.GraphStore;
import io.memsidecar.graph.spi.TraverseQuery;
import io.memsidecar.proto.graph.v1.Edge;
import io.memsidecar.proto.graph.v1.GraphGrpc;
import io.memsidecar.proto.graph.v1.Node;
import io.memsidecar.proto.graph.v1.TraverseRequest;
import io.memsidecar.proto.graph.v1.UpsertEdgesRequest;
import io.memsidecar.proto.graph.v1.UpsertNodesRequest;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.KVGrpc;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Graph Traverse benchmark on a reproducible graph (fixed seed): {@code --nodes} nodes
 * {@code n<i>} and {@code --edges} edges {@code e<j>} of four types whose ends are drawn with
 * probability falling as a power of the node's rank (a random permutation per end, so in- and
 * out-hubs differ): a few nodes have thousands of edges, most have a handful.
 * <ul>
 * <li>{@code load}: upserts the graph through the sidecar (batches of 1000, {@code --clients}).</li>
 * <li>{@code latency}: for depth 1, 2 and 3, Traverse (OUT, default max_nodes) from
 * {@code --starts} random nodes, one client: through the sidecar, and through the same driver
 * code in this process ({@code --jdbc}: the PostgreSQL driver on direct JDBC; otherwise the
 * memory driver loaded with the same graph) — one warm-up pass of both, then whole passes in
 * turn. Also the p50 of one unary gRPC round trip to the sidecar (a memory KV Get of a missing
 * key) as the hop's floor. Prints one JSON line per measurement.</li>
 * </ul>
 */
@Command(name = "graph-load", mixinStandardHelpOptions = true)
public final class GraphLoad implements Callable<Integer> {
    @Mixin
    LoadOptions run = new LoadOptions();
    @Option(names = "--op", required = true, description = "load | latency")
    String op;
    @Option(names = "--nodes", defaultValue = "100000")
    int nodes;
    @Option(names = "--edges", defaultValue = "1000000")
    int edges;
    @Option(names = "--starts", defaultValue = "1000")
    int starts;
    @Option(names = "--seed", defaultValue = "42")
    long seed;
    @Option(names = "--kv-namespace", defaultValue = "rtt", description = "a memory KV namespace for the round-trip floor")
    String kvNamespace;

    private static final int BATCH = 1000;
    /** Ends are drawn as rank = nodes · u^SKEW: the expected degree falls as a power of the rank. */
    private static final double SKEW = 2.5;

    public static void main(String[] args) {
        System.exit(new CommandLine(new GraphLoad()).execute(args));
    }

    private record Generated(List<GraphNode> nodes, List<GraphEdge> edges) {
    }

    private Generated generate() {
        var random = new Random(seed);
        int[] outRank = permutation(random);
        int[] inRank = permutation(random);
        var ns = new ArrayList<GraphNode>(nodes);
        for (int i = 0; i < nodes; i++) {
            ns.add(GraphNode.of("n" + i, List.of(i % 10 == 0 ? "Hub" : "Item"), Map.of()));
        }
        var es = new ArrayList<GraphEdge>(edges);
        for (int j = 0; j < edges; j++) {
            int from = outRank[(int) (nodes * Math.pow(random.nextDouble(), SKEW))];
            int to = inRank[(int) (nodes * Math.pow(random.nextDouble(), SKEW))];
            es.add(GraphEdge.of("e" + j, "t" + random.nextInt(4), "n" + from, "n" + to, Map.of(), Optional.empty(),
                    Optional.empty()));
        }
        return new Generated(ns, es);
    }

    private int[] permutation(Random random) {
        int[] p = new int[nodes];
        for (int i = 0; i < nodes; i++) {
            p[i] = i;
        }
        for (int i = nodes - 1; i > 0; i--) {
            int k = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[k];
            p[k] = t;
        }
        return p;
    }

    @Override
    public Integer call() throws Exception {
        Generated g = generate();
        var channel = run.open();
        try {
            var graph = GraphGrpc.newBlockingStub(run.authenticated(channel));
            switch (op) {
                case "load" -> load(graph, g);
                case "latency" -> latency(graph, KVGrpc.newBlockingStub(run.authenticated(channel)), g);
                default -> throw new IllegalArgumentException("unknown --op " + op);
            }
        } finally {
            channel.shutdownNow();
        }
        return 0;
    }

    private static <T> List<List<T>> batches(List<T> items) {
        var out = new ArrayList<List<T>>();
        for (int i = 0; i < items.size(); i += BATCH) {
            out.add(items.subList(i, Math.min(i + BATCH, items.size())));
        }
        return out;
    }

    private void load(GraphGrpc.GraphBlockingStub graph, Generated g) throws Exception {
        long t0 = System.nanoTime();
        var batches = new ArrayList<Runnable>();
        for (List<GraphNode> batch : batches(g.nodes())) {
            var b = UpsertNodesRequest.newBuilder().setNamespace(run.namespace);
            batch.forEach(n -> b.addNodes(Node.newBuilder().setId(n.id()).addAllLabels(n.labels())));
            batches.add(() -> graph.upsertNodes(b.build()));
        }
        for (List<GraphEdge> batch : batches(g.edges())) {
            var b = UpsertEdgesRequest.newBuilder().setNamespace(run.namespace);
            batch.forEach(e -> b.addEdges(Edge.newBuilder().setId(e.id()).setType(e.type()).setFrom(e.from()).setTo(e.to())));
            batches.add(() -> graph.upsertEdges(b.build()));
        }
        try (var pool = Executors.newFixedThreadPool(run.clients)) {
            var futures = new ArrayList<Future<?>>();
            batches.forEach(b -> futures.add(pool.submit(b)));
            for (Future<?> f : futures) {
                f.get();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("{\"op\":\"load\",\"nodes\":%d,\"edges\":%d,\"seconds\":%.1f,\"rows_per_s\":%.0f}%n",
                nodes, edges, seconds, (nodes + edges) / seconds);
    }

    /** The driver the sidecar runs, here in this process: PostgreSQL on --jdbc, or memory loaded with the graph. */
    private Backend direct(Generated g) {
        if (run.jdbc != null) {
            return new PostgresBackendProvider().open(new BackendSpec("direct", new Options("direct",
                    Map.of("dsn", run.jdbc, "sweeper_interval", "0", "max_conns", "2")), Clock.systemUTC()));
        }
        Backend memory = new MemoryBackendProvider().open(new BackendSpec("direct", new Options("direct", Map.of()),
                Clock.systemUTC()));
        GraphStore store = memory.store(GraphStore.class).orElseThrow();
        batches(g.nodes()).forEach(b -> store.upsertNodes(run.namespace, b));
        batches(g.edges()).forEach(b -> store.upsertEdges(run.namespace, b));
        return memory;
    }

    private void latency(GraphGrpc.GraphBlockingStub graph, KVGrpc.KVBlockingStub kv, Generated g) {
        var random = new Random(seed + 1);
        var startIds = new ArrayList<String>();
        for (int i = 0; i < starts; i++) {
            startIds.add("n" + random.nextInt(nodes));
        }
        try (Backend backend = direct(g)) {
            GraphStore store = backend.store(GraphStore.class).orElseThrow();
            var rtt = new long[2 * starts];
            for (int pass = -1; pass < 2; pass++) {
                for (int i = 0; i < starts; i++) {
                    long t0 = System.nanoTime();
                    kv.get(GetRequest.newBuilder().setNamespace(kvNamespace).setKey("none").build());
                    if (pass >= 0) {
                        rtt[pass * starts + i] = System.nanoTime() - t0;
                    }
                }
            }
            Measure.report("grpc-round-trip", 1, 0, rtt);
            for (int depth = 1; depth <= 3; depth++) {
                var sidecar = new long[2 * starts];
                var direct = new long[2 * starts];
                long sidecarNodes = 0;
                long directNodes = 0;
                long bytes = 0;
                // One warm-up pass of both paths, then whole passes in turn (neither path finds the
                // other's pages in the CPU caches); both must return the same subgraphs.
                for (int pass = -1; pass < 2; pass++) {
                    for (int i = 0; i < starts; i++) {
                        long t0 = System.nanoTime();
                        var sub = graph.traverse(TraverseRequest.newBuilder().setNamespace(run.namespace)
                                .setStartId(startIds.get(i)).setDirection(io.memsidecar.proto.graph.v1.Direction.DIRECTION_OUT)
                                .setDepth(depth).build());
                        if (pass >= 0) {
                            sidecar[pass * starts + i] = System.nanoTime() - t0;
                            sidecarNodes += sub.getNodesCount();
                            bytes += sub.getSerializedSize();
                        }
                    }
                    for (int i = 0; i < starts; i++) {
                        long t0 = System.nanoTime();
                        int n = store.traverse(run.namespace, new TraverseQuery(startIds.get(i), Set.of(), Direction.OUT,
                                depth, 1000, GraphService.MAX_EDGES, GraphService.FAN_OUT, Optional.empty()))
                                .orElseThrow().nodes().size();
                        if (pass >= 0) {
                            direct[pass * starts + i] = System.nanoTime() - t0;
                            directNodes += n;
                        }
                    }
                }
                if (sidecarNodes != directNodes) {
                    throw new IllegalStateException("sidecar and direct traversals differ at depth " + depth);
                }
                System.out.printf("{\"op\":\"depth-%d\",\"mean_nodes\":%.1f,\"mean_bytes\":%.0f}%n", depth,
                        sidecarNodes / (2.0 * starts), bytes / (2.0 * starts));
                Measure.report("traverse-" + depth + "-sidecar", 1, 0, sidecar);
                Measure.report("traverse-" + depth + "-direct", 1, 0, direct);
            }
        }
    }
}
