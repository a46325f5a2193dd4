package io.memsidecar.cli;

import io.memsidecar.proto.recall.v1.LaneRank;
import io.memsidecar.proto.recall.v1.LaneWeights;
import io.memsidecar.proto.recall.v1.RecallGrpc;
import io.memsidecar.proto.recall.v1.RecallHit;
import io.memsidecar.proto.recall.v1.RecallRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "recall", description = "Recall records by meaning, words, graph proximity and recency, fused and explained.",
        footer = {"%nExamples:", "  memctl recall notes 'where does alice work' --graph people --focal alice --depth 2",
                "  memctl recall notes 'recent decisions' --weight recency=1 --mmr 0.7 -o json"})
final class RecallCommand extends Remote {
    @Parameters(index = "0", paramLabel = "NAMESPACE", description = "The semantic namespace.")
    String namespace;
    @Parameters(index = "1", paramLabel = "QUERY", arity = "0..1", description = "The question (may be left out with --focal).")
    String query = "";
    @Option(names = "--graph", paramLabel = "NAMESPACE", description = "The graph namespace whose node ids name records.")
    String graph = "";
    @Option(names = "--focal", split = ",", paramLabel = "NODE", description = "Focal node ids (the walk starts there).")
    List<String> focal = List.of();
    @Option(names = "--depth", paramLabel = "N", description = "Hops from the focal (or seed) nodes, 0 to 2 (default 1).")
    Integer depth;
    @Option(names = "--edge-types", split = ",", paramLabel = "TYPE", description = "Only follow edges of these types.")
    List<String> edgeTypes = List.of();
    @Option(names = "--direction", paramLabel = "DIR", description = "out, in or both (default).")
    String direction;
    @Option(names = "--top-k", defaultValue = "10", paramLabel = "N")
    int topK;
    @Option(names = "--filter", split = ",", paramLabel = "KEY=VALUE", description = "Metadata equality filter.")
    Map<String, String> filter = Map.of();
    @Option(names = "--where", paramLabel = "PREDICATE", description = "Metadata predicate (repeatable), as semantic search's.")
    List<String> where = List.of();
    @Option(names = "--weight", paramLabel = "LANE=W", description = "Lane weight (repeatable): dense, lexical, graph, recency.")
    Map<String, Float> weights = Map.of();
    @Option(names = "--mmr", paramLabel = "LAMBDA", description = "Diversify by maximal marginal relevance (0..1).")
    Float mmr;
    @Option(names = "--as-of", paramLabel = "RFC3339", description = "Records live and edges valid at this time.")
    String asOf;
    @Option(names = "--subgraph", description = "Include the subgraph that connects the hits (json output).")
    boolean subgraph;

    @Override
    int run(Connection c, Out out) {
        var b = RecallRequest.newBuilder().setSemanticNamespace(namespace).setQueryText(query).setGraphNamespace(graph)
                .addAllFocalNodeIds(focal).addAllEdgeTypes(edgeTypes).setDirection(GraphCommands.direction(direction))
                .setTopK(topK).putAllFilter(filter).setExplain(true).setIncludeSubgraph(subgraph);
        where.forEach(w -> b.addPredicates(SemanticCommands.Search.predicate(w)));
        if (depth != null) {
            b.setExpandDepth(depth);
        }
        if (mmr != null) {
            b.setMmrLambda(mmr);
        }
        if (asOf != null) {
            b.setAsOf(Inputs.time(asOf));
        }
        var w = LaneWeights.newBuilder();
        weights.forEach((lane, value) -> {
            switch (lane.toLowerCase(Locale.ROOT)) {
                case "dense" -> w.setDense(value);
                case "lexical" -> w.setLexical(value);
                case "graph" -> w.setGraph(value);
                case "recency" -> w.setRecency(value);
                default -> throw new IllegalArgumentException("--weight " + lane + ": lanes are dense, lexical, graph, recency");
            }
        });
        var r = c.unary(RecallGrpc::newBlockingStub).recall(b.setWeights(w).build());
        if (out.json()) {
            out.line(Out.json(r));
            return Memctl.OK;
        }
        var table = out.table(new int[] {8, 24, 28, 24}, "SCORE", "ID", "LANES", "PATH", "CONTENT");
        for (RecallHit h : r.getHitsList()) {
            table.row(String.format("%.5f", h.getScore()), h.getRecord().getId(), lanes(h.getEvidence().getLanesList()),
                    String.join(">", h.getEvidence().getPathNodeIdsList()), Out.truncate(h.getRecord().getContent(), 80));
        }
        table.end();
        return Memctl.OK;
    }

    private static String lanes(List<LaneRank> lanes) {
        return lanes.stream().map(l -> l.getLane().name().substring("LANE_".length()).toLowerCase(Locale.ROOT) + "#"
                + l.getRank()).collect(Collectors.joining(" "));
    }
}
