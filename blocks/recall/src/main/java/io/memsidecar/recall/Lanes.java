package io.memsidecar.recall;

import io.memsidecar.core.ApiException;
import io.memsidecar.core.Code;
import io.memsidecar.core.Deadline;
import io.memsidecar.graph.spi.GraphEdge;
import io.memsidecar.graph.spi.GraphStore;
import io.memsidecar.graph.spi.Reach;
import io.memsidecar.graph.spi.ReachQuery;
import io.memsidecar.recall.RecallService.Plan;
import io.memsidecar.semantic.Rrf;
import io.memsidecar.semantic.SemanticNamespace;
import io.memsidecar.semantic.spi.Hit;
import io.memsidecar.semantic.spi.SemanticRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The four lanes of a Recall, each a ranked list of records with the lane's own score:
 * <ul>
 * <li>dense: the namespace's vector search (query_vector, or query_text embedded);</li>
 * <li>lexical: its text search (the sparse lane of hybrid search);</li>
 * <li>graph: the records whose ids name nodes reached within expand_depth hops of the focal
 * nodes — without focal nodes, of the ids of the top seed_k records of the dense and lexical
 * lanes fused — ordered by hops, then by the start they were reached from (in the order given,
 * or the seeds' rank), then by the recency of the edge that reached them (its valid_from, else
 * its created_at), then by id; score 1 / (1 + hops);</li>
 * <li>recency: the candidates of the other lanes by valid_from (which a write sets to its time
 * unless given), newest first; score its epoch seconds.</li>
 * </ul>
 * Every lane is narrowed alike (filter, predicates, lifecycle at as_of); a lane of weight 0 is
 * not read.
 */
final class Lanes {
    /** One ranked record of a lane. */
    record Ranked(SemanticRecord record, double score) {
        String id() {
            return record.id();
        }
    }

    /** The lanes as read (indexed by {@link Plan#DENSE} ...), and the walk when the graph lane ran. */
    record Read(List<List<Ranked>> lanes, Optional<Reach> reach) {
    }

    private final SemanticNamespace semantic;
    private final String scope;
    private final Optional<GraphStore> graph;
    private final Optional<String> graphScope;

    Lanes(SemanticNamespace semantic, String scope, Optional<GraphStore> graph, Optional<String> graphScope) {
        this.semantic = semantic;
        this.scope = scope;
        this.graph = graph;
        this.graphScope = graphScope;
    }

    /**
     * The lanes of the plan; {@code denseVector} is the dense lane's query (present when it reads).
     * The dense and lexical lanes, and a walk from focal nodes, are read at once — each on its own
     * virtual thread — unless the index's snapshot is bound to this thread (PostgreSQL's one
     * connection): then one after another. A walk from seeds waits for the lanes that choose them.
     */
    Read read(Plan p, Optional<float[]> denseVector) {
        var dense = new AtomicReference<List<Ranked>>(List.of());
        var lexical = new AtomicReference<List<Ranked>>(List.of());
        var walked = new AtomicReference<Optional<Walked>>(Optional.empty());
        boolean fromFocal = p.reads(Plan.GRAPH) && !p.focal().isEmpty();
        all(!semantic.index().threadBoundSnapshot(),
                () -> denseVector.ifPresent(v -> dense.set(ranked(semantic.index().search(scope, p.narrowing().withVector(v))))),
                () -> {
                    if (p.reads(Plan.LEXICAL)) {
                        lexical.set(ranked(semantic.index().search(scope, p.narrowing())));
                    }
                },
                () -> {
                    if (fromFocal) {
                        walked.set(Optional.of(walk(p, p.focal())));
                    }
                });
        if (p.reads(Plan.GRAPH) && !fromFocal) {
            List<String> seeds = seeds(p, dense.get(), lexical.get());
            if (!seeds.isEmpty()) {
                walked.set(Optional.of(walk(p, seeds)));
            }
        }
        List<Ranked> graphLane = walked.get().map(Walked::lane).orElse(List.of());
        List<Ranked> recency = p.reads(Plan.RECENCY) ? recency(List.of(dense.get(), lexical.get(), graphLane)) : List.of();
        return new Read(List.of(dense.get(), lexical.get(), graphLane, recency), walked.get().map(Walked::reach));
    }

    /** A walk and the graph lane it gives. */
    private record Walked(Reach reach, List<Ranked> lane) {
    }

    private Walked walk(Plan p, List<String> starts) {
        ReachQuery w = p.walk();
        Reach r = graph.orElseThrow().reach(graphScope.orElseThrow(), new ReachQuery(starts, w.edgeTypes(), w.direction(),
                w.depth(), w.maxNodes(), w.maxEdges(), w.fanOut(), w.asOf()));
        return new Walked(r, graphLane(r, semantic.index().records(scope, r.nodes().keySet(), p.narrowing()), p.candidateK()));
    }

    /** Runs the reads at once (virtual threads, under the call's deadline; the first failure is thrown) or in turn. */
    private static void all(boolean atOnce, Runnable... reads) {
        if (!atOnce) {
            for (Runnable r : reads) {
                r.run();
            }
            return;
        }
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            var running = new ArrayList<Future<?>>();
            for (Runnable r : reads) {
                running.add(threads.submit(() -> Deadline.carried(() -> {
                    r.run();
                    return null;
                }).get()));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(Code.CANCELLED, "recall: the call was cancelled");
        }
    }

    private static List<Ranked> ranked(List<Hit> hits) {
        return hits.stream().map(h -> new Ranked(h.record(), h.score())).toList();
    }

    /** The ids of the top seed_k of the dense and lexical lanes, fused with their weights. */
    private static List<String> seeds(Plan p, List<Ranked> dense, List<Ranked> lexical) {
        return Rrf.weighted(List.of(ids(dense), ids(lexical)), new double[] {p.weights()[Plan.DENSE],
                p.weights()[Plan.LEXICAL]}, p.rrfK()).stream().limit(p.seedK()).map(Rrf.Fused::id).toList();
    }

    static List<String> ids(List<Ranked> lane) {
        return lane.stream().map(Ranked::id).toList();
    }

    private static List<Ranked> graphLane(Reach reach, List<SemanticRecord> records, int limit) {
        Comparator<SemanticRecord> order = Comparator
                .<SemanticRecord>comparingInt(r -> reach.nodes().get(r.id()).hops())
                .thenComparingInt(r -> reach.nodes().get(r.id()).start())
                .thenComparing((SemanticRecord r) -> reach.nodes().get(r.id()).via().map(Lanes::edgeTime)
                        .orElse(Instant.MAX), Comparator.reverseOrder())
                .thenComparing(SemanticRecord::id);
        return records.stream().sorted(order).limit(limit)
                .map(r -> new Ranked(r, 1.0 / (1 + reach.nodes().get(r.id()).hops()))).toList();
    }

    private static Instant edgeTime(GraphEdge e) {
        return e.validFrom().orElse(e.createdAt());
    }

    private static List<Ranked> recency(List<List<Ranked>> lanes) {
        Map<String, SemanticRecord> pool = new LinkedHashMap<>();
        lanes.forEach(lane -> lane.forEach(r -> pool.putIfAbsent(r.id(), r.record())));
        var out = new ArrayList<>(pool.values());
        out.sort(Comparator.comparing(SemanticRecord::validFrom).reversed()
                .thenComparing(Comparator.comparing(SemanticRecord::createdAt).reversed())
                .thenComparing(SemanticRecord::id));
        return out.stream().map(r -> new Ranked(r, r.validFrom().toEpochMilli() / 1000.0)).toList();
    }
}
