package io.memsidecar.recall;

import io.memsidecar.graph.GraphService;
import io.memsidecar.graph.spi.GraphEdge;
import io.memsidecar.graph.spi.Reach;
import io.memsidecar.proto.graph.v1.Subgraph;
import io.memsidecar.proto.recall.v1.Evidence;
import io.memsidecar.proto.recall.v1.LaneRank;
import io.memsidecar.proto.recall.v1.RecallHit;
import io.memsidecar.proto.recall.v1.RecallResponse;
import io.memsidecar.recall.RecallService.Plan;
import io.memsidecar.semantic.Rrf;
import io.memsidecar.semantic.SemanticService;
import io.memsidecar.semantic.spi.SemanticRecord;
import io.memsidecar.semantic.spi.SemanticTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lanes fused by weighted reciprocal rank fusion (each lane's weight / (k + rank), summed;
 * ties by id), the top_k kept — or chosen from the whole fused list by maximal marginal relevance
 * when mmr_lambda is set (λ · score / best score − (1 − λ) · the highest cosine similarity to a
 * hit already chosen) — with each hit's evidence and the subgraph that connects them.
 */
final class Fusion {
    private Fusion() {
    }

    static RecallResponse respond(Plan p, Lanes.Read read) {
        List<List<String>> ids = read.lanes().stream().map(Lanes::ids).toList();
        List<Rrf.Fused> fused = Rrf.weighted(ids, p.weights(), p.rrfK());
        Map<String, SemanticRecord> records = new HashMap<>();
        read.lanes().forEach(lane -> lane.forEach(r -> records.putIfAbsent(r.id(), r.record())));
        List<Rrf.Fused> chosen = p.mmrLambda().isPresent() ? mmr(fused, records, p.mmrLambda().get(), p.topK())
                : fused.subList(0, Math.min(p.topK(), fused.size()));
        var response = RecallResponse.newBuilder();
        for (Rrf.Fused f : chosen) {
            SemanticRecord r = SemanticTable.view(records.get(f.id()), p.includePayload(), false);
            RecallHit.Builder hit = response.addHitsBuilder().setRecord(SemanticService.record(r)).setScore(f.score());
            if (p.explain()) {
                hit.setEvidence(evidence(f, read));
            }
        }
        if (p.subgraph() && read.reach().isPresent()) {
            response.setSubgraph(subgraph(read.reach().get(), chosen));
        }
        return response.build();
    }

    private static Evidence evidence(Rrf.Fused f, Lanes.Read read) {
        var e = Evidence.newBuilder().setFusedScore(f.score());
        for (int lane = 0; lane < read.lanes().size(); lane++) {
            List<Lanes.Ranked> ranked = read.lanes().get(lane);
            for (int i = 0; i < ranked.size(); i++) {
                if (ranked.get(i).id().equals(f.id())) {
                    e.addLanes(LaneRank.newBuilder().setLane(Plan.LANES[lane]).setRank(i + 1)
                            .setScore(ranked.get(i).score()));
                    break;
                }
            }
        }
        read.reach().filter(r -> r.nodes().containsKey(f.id())).ifPresent(r -> {
            Reach.Path path = r.path(f.id());
            e.addAllPathNodeIds(path.nodeIds());
            path.edges().forEach(edge -> e.addPathEdges(GraphService.edge(edge)));
        });
        return e.build();
    }

    /** The starts, and the tree paths to the hits the walk reached: their nodes and edges, with the walk's other edges between those nodes. */
    private static Subgraph subgraph(Reach reach, List<Rrf.Fused> hits) {
        Set<String> nodes = new HashSet<>();
        Set<String> edges = new HashSet<>();
        reach.nodes().values().stream().filter(n -> n.hops() == 0).forEach(n -> nodes.add(n.node().id()));
        for (Rrf.Fused f : hits) {
            if (reach.nodes().containsKey(f.id())) {
                Reach.Path path = reach.path(f.id());
                nodes.addAll(path.nodeIds());
                path.edges().forEach(e -> edges.add(e.id()));
            }
        }
        var b = Subgraph.newBuilder();
        reach.nodes().values().stream().filter(n -> nodes.contains(n.node().id()))
                .forEach(n -> b.addNodes(GraphService.node(n.node())));
        for (GraphEdge e : reach.edges()) {
            if (edges.contains(e.id()) || nodes.contains(e.from()) && nodes.contains(e.to())) {
                b.addEdges(GraphService.edge(e));
            }
        }
        return b.build();
    }

    /** Maximal marginal relevance over the whole fused list (vectors compared by cosine). */
    private static List<Rrf.Fused> mmr(List<Rrf.Fused> fused, Map<String, SemanticRecord> records, double lambda, int topK) {
        var chosen = new ArrayList<Rrf.Fused>();
        var left = new ArrayList<>(fused);
        double best = fused.isEmpty() ? 1 : fused.getFirst().score();
        while (chosen.size() < topK && !left.isEmpty()) {
            int pick = 0;
            double pickValue = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < left.size(); i++) {
                float[] v = records.get(left.get(i).id()).vector();
                double similar = 0;
                for (Rrf.Fused c : chosen) {
                    similar = Math.max(similar, cosine(v, records.get(c.id()).vector()));
                }
                double value = lambda * left.get(i).score() / best - (1 - lambda) * similar;
                if (value > pickValue) {
                    pick = i;
                    pickValue = value;
                }
            }
            chosen.add(left.remove(pick));
        }
        return chosen;
    }

    static double cosine(float[] a, float[] b) {
        if (a.length == 0 || a.length != b.length) {
            return 0;
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
