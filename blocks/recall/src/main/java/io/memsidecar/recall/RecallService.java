package io.memsidecar.recall;

import io.memsidecar.core.ApiException;
import io.memsidecar.core.Call;
import io.memsidecar.core.Limits;
import io.memsidecar.core.NamespaceTable;
import io.memsidecar.core.Op;
import io.memsidecar.core.Require;
import io.memsidecar.core.Route;
import io.memsidecar.core.Scope;
import io.memsidecar.graph.GraphNamespace;
import io.memsidecar.graph.GraphService;
import io.memsidecar.graph.spi.ReachQuery;
import io.memsidecar.proto.recall.v1.Lane;
import io.memsidecar.proto.recall.v1.RecallRequest;
import io.memsidecar.proto.recall.v1.RecallResponse;
import io.memsidecar.semantic.SemanticNamespace;
import io.memsidecar.semantic.Rrf;
import io.memsidecar.semantic.SemanticService;
import io.memsidecar.semantic.spi.Distance;
import io.memsidecar.semantic.spi.SemanticQuery;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Recall: one call that reads a semantic namespace's dense and lexical lanes, a graph
 * namespace's neighbourhood of the focal (or seed) nodes, and the candidates' recency, at one
 * as_of, and fuses them by weighted reciprocal rank fusion (optionally diversified by MMR). The
 * lanes are {@link Lanes}; the fusion, explanation and subgraph are {@link Fusion}. Op
 * {@code recall.query}; the semantic namespace is read with {@code semantic.search} and the
 * graph namespace with {@code graph.query}, both checked here as on their own routes.
 */
public final class RecallService {
    public static final String SERVICE = "memsidecar.recall.v1.Recall";
    public static final String BLOCK = "recall";
    public static final Op QUERY = Op.read(BLOCK, "query");

    static final int DEFAULT_TOP_K = 10;
    /**
     * Dense and lexical are two readings of the same text; the graph lane is the one structural
     * reading, so by default it weighs as much as both (docs/benchmarks.md "Recall" has the ablation).
     */
    static final double DEFAULT_GRAPH_WEIGHT = 2;
    static final int DEFAULT_CANDIDATE_K = 50;
    static final int DEFAULT_SEED_K = 5;
    static final int DEFAULT_DEPTH = 1;
    static final int MAX_DEPTH = 2;
    static final int DEFAULT_MAX_NODES = 256;
    static final int MAX_NODES_MAX = 10_000;
    /** Focal nodes a request may name. */
    static final int MAX_FOCAL = 64;

    private final NamespaceTable<SemanticNamespace> semantic;
    private final NamespaceTable<GraphNamespace> graphs;
    private final Limits limits;

    public RecallService(Map<String, SemanticNamespace> semantic, Map<String, GraphNamespace> graphs,
                         boolean tenantIsolation, Limits limits) {
        this.semantic = new NamespaceTable<>(SemanticService.BLOCK, semantic, tenantIsolation);
        this.graphs = new NamespaceTable<>(GraphService.BLOCK, graphs, tenantIsolation);
        this.limits = limits;
    }

    public List<Route<?, ?>> routes() {
        return List.of(Route.unary(SERVICE, "Recall", RecallRequest.getDefaultInstance(),
                RecallResponse.getDefaultInstance(), QUERY, RecallService::scope, this::recall));
    }

    /**
     * Token scope and policy see the semantic namespace (as {@code semantic/<ns>}) and the
     * effective sizes: top_k, rerank_candidate_k (its candidate_k: a search lane's candidates, as
     * hybrid Search's), depth, max_nodes.
     */
    static Scope scope(RecallRequest r) {
        return Scope.of(SemanticService.BLOCK, r.getSemanticNamespace())
                .withSize("top_k", orDefault(r.getTopK(), DEFAULT_TOP_K))
                .withSize("rerank_candidate_k", orDefault(r.getCandidateK(), DEFAULT_CANDIDATE_K))
                .withSize("depth", r.hasExpandDepth() ? Integer.toUnsignedLong(r.getExpandDepth()) : DEFAULT_DEPTH)
                .withSize("max_nodes", orDefault(r.getMaxNodes(), DEFAULT_MAX_NODES));
    }

    public RecallResponse recall(Call call, RecallRequest request) {
        var s = semantic.resolve(call, SemanticService.SEARCH, request.getSemanticNamespace());
        Optional<NamespaceTable.Target<GraphNamespace>> g = request.getGraphNamespace().isEmpty() ? Optional.empty()
                : Optional.of(graphs.resolve(call, GraphService.QUERY, request.getGraphNamespace()));
        Plan plan = plan(request, s.namespace(), g.isPresent());
        var lanes = new Lanes(s.namespace(), s.storage(), g.map(t -> t.namespace().store()),
                g.map(NamespaceTable.Target::storage));
        // Embedded first: no transaction waits on the embedder.
        Optional<float[]> dense = plan.reads(Plan.DENSE) ? Optional.of(plan.vector().orElseGet(
                () -> SemanticService.embed(s.namespace(), List.of(plan.text().orElseThrow())).getFirst())) : Optional.empty();
        // One snapshot for every lane where the semantic namespace's driver has one (PostgreSQL: the
        // graph joins it when it lives on the same backend).
        Lanes.Read read = s.namespace().index().snapshot(() -> lanes.read(plan, dense));
        return Fusion.respond(plan, read);
    }

    /** A validated request: what each lane reads and how they are fused. */
    record Plan(Optional<String> text, Optional<float[]> vector, SemanticQuery narrowing, List<String> focal,
                ReachQuery walk, double[] weights, int rrfK, int topK, int candidateK, int seedK,
                Optional<Double> mmrLambda, boolean explain, boolean subgraph, boolean includePayload) {
        static final int DENSE = 0;
        static final int LEXICAL = 1;
        static final int GRAPH = 2;
        static final int RECENCY = 3;
        static final Lane[] LANES = {Lane.LANE_DENSE, Lane.LANE_LEXICAL, Lane.LANE_GRAPH, Lane.LANE_RECENCY};

        boolean reads(int lane) {
            return weights[lane] > 0;
        }
    }

    private Plan plan(RecallRequest r, SemanticNamespace ns, boolean hasGraph) {
        boolean hasText = !r.getQueryText().isEmpty();
        boolean hasVector = r.getQueryVectorCount() > 0;
        if (!hasText && !hasVector && r.getFocalNodeIdsCount() == 0) {
            throw ApiException.invalidArgument("one of query_text, query_vector and focal_node_ids is required");
        }
        Require.text(r.getQueryText(), "query_text", SemanticService.MAX_CONTENT_BYTES);
        Optional<float[]> vector = hasVector ? Optional.of(SemanticService.vector(r.getQueryVectorList(),
                ns.index().spec().dimensions(), ns.index().spec().distance(), "query_vector")) : Optional.empty();
        limits.metadata(r.getFilterMap(), "filter", SemanticService.MAX_METADATA_ENTRIES);
        if (r.getFocalNodeIdsCount() > MAX_FOCAL) {
            throw ApiException.invalidArgument("focal_node_ids has more than " + MAX_FOCAL + " entries");
        }
        r.getFocalNodeIdsList().forEach(id -> GraphService.id(id, "focal_node_ids"));
        if (r.getFocalNodeIdsCount() > 0 && !hasGraph) {
            throw ApiException.invalidArgument("focal_node_ids need a graph_namespace");
        }
        if (r.hasExpandDepth() && Integer.toUnsignedLong(r.getExpandDepth()) > MAX_DEPTH) {
            throw ApiException.invalidArgument("expand_depth must be 0 to " + MAX_DEPTH);
        }
        double[] weights = {
                weight(r.getWeights().hasDense(), r.getWeights().getDense(), 1, "dense"),
                weight(r.getWeights().hasLexical(), r.getWeights().getLexical(), 1, "lexical"),
                weight(r.getWeights().hasGraph(), r.getWeights().getGraph(), DEFAULT_GRAPH_WEIGHT, "graph"),
                weight(r.getWeights().hasRecency(), r.getWeights().getRecency(), 0, "recency")};
        if (!hasText) {
            weights[Plan.LEXICAL] = 0;
        }
        if (!hasText && !hasVector) {
            weights[Plan.DENSE] = 0;
        }
        if (!hasGraph) {
            weights[Plan.GRAPH] = 0;
        }
        Optional<Double> mmr = Optional.empty();
        if (r.hasMmrLambda()) {
            float l = r.getMmrLambda();
            if (!(l >= 0 && l <= 1)) {
                throw ApiException.invalidArgument("mmr_lambda must be between 0 and 1");
            }
            if (ns.index().spec().distance() != Distance.COSINE) {
                // Similarity between hits is cosine; other distances do not bound it.
                throw ApiException.invalidArgument("mmr_lambda needs a namespace with cosine distance");
            }
            mmr = Optional.of((double) l);
        }
        var focal = List.copyOf(r.getFocalNodeIdsList());
        var asOf = SemanticService.time(r.hasAsOf(), r.getAsOf());
        int depth = r.hasExpandDepth() ? r.getExpandDepth() : DEFAULT_DEPTH;
        int maxNodes = (int) Math.min(orDefault(r.getMaxNodes(), DEFAULT_MAX_NODES), MAX_NODES_MAX);
        var walk = new ReachQuery(focal, GraphService.types(r.getEdgeTypesList()), GraphService.direction(r.getDirection()),
                depth, maxNodes, GraphService.MAX_EDGES, GraphService.FAN_OUT, asOf);
        int candidateK = (int) Math.min(Integer.MAX_VALUE, orDefault(r.getCandidateK(), DEFAULT_CANDIDATE_K));
        int topK = (int) Math.min(Integer.MAX_VALUE, orDefault(r.getTopK(), DEFAULT_TOP_K));
        SemanticQuery narrowing = SemanticQuery.sparse(r.getQueryText(), candidateK)
                .withFilter(r.getFilterMap())
                .withPredicates(SemanticService.predicates(r.getPredicatesList()))
                .withLifecycle(asOf, false)
                .withIncludes(r.getIncludePayload(), mmr.isPresent(), false);
        return new Plan(hasText ? Optional.of(r.getQueryText()) : Optional.empty(), vector, narrowing, focal, walk,
                weights, r.hasRrfK() ? (int) Math.min(1_000_000, Integer.toUnsignedLong(r.getRrfK())) : Rrf.K, topK, candidateK,
                (int) Math.min(MAX_FOCAL, orDefault(r.getSeedK(), DEFAULT_SEED_K)), mmr, r.getExplain(),
                r.getIncludeSubgraph(), r.getIncludePayload());
    }

    private static double weight(boolean set, float value, double defaultValue, String lane) {
        if (!set) {
            return defaultValue;
        }
        if (!(value >= 0) || Float.isInfinite(value)) {
            throw ApiException.invalidArgument("weights." + lane + " must be a finite number >= 0");
        }
        return value;
    }

    /** uint32 arrives as a Java int: read it unsigned, 0 means the default. */
    private static long orDefault(int requested, int defaultValue) {
        return requested == 0 ? defaultValue : Integer.toUnsignedLong(requested);
    }
}
