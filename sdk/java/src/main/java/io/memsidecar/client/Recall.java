package io.memsidecar.client;

import io.memsidecar.proto.recall.v1.LaneWeights;
import io.memsidecar.proto.recall.v1.RecallGrpc;
import io.memsidecar.proto.recall.v1.RecallRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Recall (ours, not in the original): one call that fuses the dense, lexical, graph-proximity and
 * recency evidence of a semantic namespace (and a graph namespace) into ranked, explained hits.
 * <pre>{@code
 * var result = client.recall().recall(Recall.Query.text("notes", "where does alice work")
 *         .withGraph("people", "alice").withDepth(2).explained());
 * }</pre>
 */
public final class Recall {
    private final MemSidecar client;

    Recall(MemSidecar client) {
        this.client = client;
    }

    public enum Lane { DENSE, LEXICAL, GRAPH, RECENCY }

    /** Each lane's weight in the fusion; null keeps the server's default (dense 1, lexical 1, graph 2, recency 0). */
    public record Weights(Float dense, Float lexical, Float graph, Float recency) {
        public static final Weights DEFAULT = new Weights(null, null, null, null);

        public Weights dense(float w) {
            return new Weights(w, lexical, graph, recency);
        }

        public Weights lexical(float w) {
            return new Weights(dense, w, graph, recency);
        }

        public Weights graph(float w) {
            return new Weights(dense, lexical, w, recency);
        }

        public Weights recency(float w) {
            return new Weights(dense, lexical, graph, w);
        }

        LaneWeights proto() {
            var b = LaneWeights.newBuilder();
            Optional.ofNullable(dense).ifPresent(b::setDense);
            Optional.ofNullable(lexical).ifPresent(b::setLexical);
            Optional.ofNullable(graph).ifPresent(b::setGraph);
            Optional.ofNullable(recency).ifPresent(b::setRecency);
            return b.build();
        }
    }

    /** A recall: {@code Query.text(ns, "…").withGraph("people", "alice").withDepth(2)}; 0 and null mean the server's default. */
    public record Query(String namespace, String text, float[] vector, int topK, Map<String, String> filter,
                        List<Semantic.Predicate> predicates, Optional<Instant> asOf, String graphNamespace,
                        List<String> focalNodeIds, Integer depth, List<String> edgeTypes, Graph.Way way, Weights weights,
                        Float mmrLambda, boolean explain, boolean subgraph, boolean includePayload) {
        public static Query text(String namespace, String text) {
            return new Query(namespace, text, new float[0], 0, Map.of(), List.of(), Optional.empty(), "", List.of(), null,
                    List.of(), Graph.Way.BOTH, Weights.DEFAULT, null, false, false, false);
        }

        public static Query vector(String namespace, float[] vector) {
            return text(namespace, "").withVector(vector);
        }

        /** Both: the dense lane uses the vector, the lexical lane the text. */
        public Query withVector(float[] v) {
            return new Query(namespace, text, v.clone(), topK, filter, predicates, asOf, graphNamespace, focalNodeIds, depth,
                    edgeTypes, way, weights, mmrLambda, explain, subgraph, includePayload);
        }

        public Query withTopK(int k) {
            return new Query(namespace, text, vector, k, filter, predicates, asOf, graphNamespace, focalNodeIds, depth,
                    edgeTypes, way, weights, mmrLambda, explain, subgraph, includePayload);
        }

        public Query withFilter(Map<String, String> f, List<Semantic.Predicate> p) {
            return new Query(namespace, text, vector, topK, Map.copyOf(f), List.copyOf(p), asOf, graphNamespace, focalNodeIds,
                    depth, edgeTypes, way, weights, mmrLambda, explain, subgraph, includePayload);
        }

        public Query asOf(Instant t) {
            return new Query(namespace, text, vector, topK, filter, predicates, Optional.of(t), graphNamespace, focalNodeIds,
                    depth, edgeTypes, way, weights, mmrLambda, explain, subgraph, includePayload);
        }

        /** The graph lane: node ids of this graph name records; the walk starts at the focal nodes (none: the top seeds). */
        public Query withGraph(String graph, String... focal) {
            return new Query(namespace, text, vector, topK, filter, predicates, asOf, graph, List.of(focal), depth, edgeTypes,
                    way, weights, mmrLambda, explain, subgraph, includePayload);
        }

        /** Hops of the walk, 0 to 2. */
        public Query withDepth(int hops) {
            return new Query(namespace, text, vector, topK, filter, predicates, asOf, graphNamespace, focalNodeIds, hops,
                    edgeTypes, way, weights, mmrLambda, explain, subgraph, includePayload);
        }

        public Query withEdges(Graph.Way w, String... types) {
            return new Query(namespace, text, vector, topK, filter, predicates, asOf, graphNamespace, focalNodeIds, depth,
                    List.of(types), w, weights, mmrLambda, explain, subgraph, includePayload);
        }

        public Query withWeights(Weights w) {
            return new Query(namespace, text, vector, topK, filter, predicates, asOf, graphNamespace, focalNodeIds, depth,
                    edgeTypes, way, w, mmrLambda, explain, subgraph, includePayload);
        }

        /** Maximal marginal relevance over the fused list: 1 keeps its order, 0 is the most diverse. */
        public Query withMmr(float lambda) {
            return new Query(namespace, text, vector, topK, filter, predicates, asOf, graphNamespace, focalNodeIds, depth,
                    edgeTypes, way, weights, lambda, explain, subgraph, includePayload);
        }

        /** Each hit with its evidence (lane ranks, the path that reached it). */
        public Query explained() {
            return new Query(namespace, text, vector, topK, filter, predicates, asOf, graphNamespace, focalNodeIds, depth,
                    edgeTypes, way, weights, mmrLambda, true, subgraph, includePayload);
        }

        /** With the subgraph that connects the hits and the focal nodes. */
        public Query withSubgraph() {
            return new Query(namespace, text, vector, topK, filter, predicates, asOf, graphNamespace, focalNodeIds, depth,
                    edgeTypes, way, weights, mmrLambda, explain, true, includePayload);
        }

        public Query withPayload() {
            return new Query(namespace, text, vector, topK, filter, predicates, asOf, graphNamespace, focalNodeIds, depth,
                    edgeTypes, way, weights, mmrLambda, explain, subgraph, true);
        }

        RecallRequest proto() {
            var b = RecallRequest.newBuilder().setSemanticNamespace(namespace).setQueryText(text).setTopK(topK)
                    .putAllFilter(filter).setGraphNamespace(graphNamespace).addAllFocalNodeIds(focalNodeIds)
                    .addAllEdgeTypes(edgeTypes).setDirection(way.proto())
                    .setWeights(weights.proto()).setExplain(explain).setIncludeSubgraph(subgraph)
                    .setIncludePayload(includePayload);
            for (float f : vector) {
                b.addQueryVector(f);
            }
            predicates.forEach(p -> b.addPredicates(p.proto()));
            asOf.ifPresent(t -> b.setAsOf(Calls.timestamp(t)));
            Optional.ofNullable(depth).ifPresent(b::setExpandDepth);
            Optional.ofNullable(mmrLambda).ifPresent(b::setMmrLambda);
            return b.build();
        }
    }

    public record LaneRank(Lane lane, int rank, double score) {
    }

    /** Why a hit ranked where it did: its rank in each lane, and the graph path that reached it (edge i joins node i and i + 1). */
    public record Evidence(List<LaneRank> lanes, List<String> pathNodeIds, List<Graph.Edge> pathEdges, double fusedScore) {
        public Optional<LaneRank> lane(Lane lane) {
            return lanes.stream().filter(l -> l.lane() == lane).findFirst();
        }
    }

    public record Hit(Semantic.Record record, double score, Optional<Evidence> evidence) {
    }

    public record Result(List<Hit> hits, Optional<Graph.Subgraph> subgraph) {
    }

    public Result recall(Query q) {
        var r = Calls.call(() -> client.unary(RecallGrpc::newBlockingStub).recall(q.proto()));
        List<Hit> hits = r.getHitsList().stream().map(h -> new Hit(Semantic.record(h.getRecord()), h.getScore(),
                h.hasEvidence() ? Optional.of(new Evidence(h.getEvidence().getLanesList().stream()
                        .filter(l -> l.getLaneValue() >= 1 && l.getLaneValue() <= Lane.values().length) // a newer server's lane: left out
                        .map(l -> new LaneRank(Lane.values()[l.getLaneValue() - 1], l.getRank(), l.getScore())).toList(),
                        h.getEvidence().getPathNodeIdsList(), h.getEvidence().getPathEdgesList().stream().map(Graph::edge).toList(),
                        h.getEvidence().getFusedScore())) : Optional.empty())).toList();
        return new Result(hits, r.hasSubgraph() ? Optional.of(Graph.subgraph(r.getSubgraph().getNodesList(),
                r.getSubgraph().getEdgesList())) : Optional.empty());
    }
}
