package io.memsidecar.recall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.Timestamp;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Call;
import io.memsidecar.core.Capability;
import io.memsidecar.core.Code;
import io.memsidecar.core.Limits;
import io.memsidecar.core.ProtoTime;
import io.memsidecar.graph.GraphNamespace;
import io.memsidecar.graph.spi.GraphEdge;
import io.memsidecar.graph.spi.GraphNode;
import io.memsidecar.graph.spi.GraphStore;
import io.memsidecar.proto.graph.v1.Direction;
import io.memsidecar.proto.graph.v1.Edge;
import io.memsidecar.proto.graph.v1.Node;
import io.memsidecar.proto.recall.v1.Lane;
import io.memsidecar.proto.recall.v1.LaneRank;
import io.memsidecar.proto.recall.v1.LaneWeights;
import io.memsidecar.proto.recall.v1.RecallHit;
import io.memsidecar.proto.recall.v1.RecallRequest;
import io.memsidecar.proto.recall.v1.RecallResponse;
import io.memsidecar.semantic.SemanticNamespace;
import io.memsidecar.semantic.spi.Embedder;
import io.memsidecar.semantic.spi.IndexSpec;
import io.memsidecar.semantic.spi.SemanticIndex;
import io.memsidecar.semantic.spi.SemanticStore;
import io.memsidecar.semantic.spi.SemanticWrite;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Recall over a driver's semantic and graph stores, with fixtures whose ranking is worked out by
 * hand (8-dimensional vectors, k = 60, unit weights unless said): every fused score in the
 * comments is the sum of 1 / (60 + rank) over the lanes that have the record.
 */
public abstract class RecallConformance {
    private static final int DIMS = 8;
    private static final Instant PAST = Instant.parse("2001-01-01T00:00:00Z");
    private static final Instant EDGE_FROM = Instant.parse("2020-01-01T00:00:00Z");
    private static final Instant BEFORE_EDGE = Instant.parse("2019-01-01T00:00:00Z");
    private static final Instant AFTER_EDGE = Instant.parse("2021-01-01T00:00:00Z");

    private String ns;
    private SemanticIndex index;
    private RecallService recall;

    protected abstract SemanticStore semanticStore();

    protected abstract GraphStore graphStore();

    @BeforeEach
    void fresh() {
        ns = "rc-" + UUID.randomUUID();
        index = semanticStore().open(IndexSpec.of("recall_conformance", DIMS));
        // Every text embeds to axis 0: the dense lane of a text query is the vector query axis(0).
        Embedder embedder = new Embedder() {
            @Override
            public List<float[]> embed(List<String> texts) {
                return texts.stream().map(t -> axis(0)).toList();
            }

            @Override
            public int dimensions() {
                return DIMS;
            }

            @Override
            public String model() {
                return "axis0";
            }
        };
        recall = new RecallService(Map.of(ns, new SemanticNamespace(ns, index, embedder)),
                Map.of(ns, new GraphNamespace(ns, graphStore())), false, Limits.DEFAULT);
    }

    private static float[] axis(int i) {
        var v = new float[DIMS];
        v[i] = 1;
        return v;
    }

    private static float[] mix(int main, int other, float weight) {
        var v = axis(main);
        v[other] = weight;
        return v;
    }

    private void records(SemanticWrite... writes) {
        index.upsert(ns, Arrays.stream(writes).map(w -> w.withValidity(w.validFrom().or(() -> Optional.of(PAST)),
                w.validTo())).toList());
    }

    private static SemanticWrite rec(String id, float[] v) {
        return SemanticWrite.of(id, "note " + id, v, Map.of());
    }

    private void nodes(String... ids) {
        graphStore().upsertNodes(ns, Arrays.stream(ids).map(id -> GraphNode.of(id, List.of("entity"), Map.of())).toList());
    }

    private void edge(String id, String type, String from, String to, Instant validFrom) {
        graphStore().upsertEdges(ns, List.of(GraphEdge.of(id, type, from, to, Map.of(), Optional.of(validFrom),
                Optional.empty())));
    }

    private static Call call(List<String> ops) {
        var call = new Call("test", Optional.empty(), () -> false);
        call.authenticated(new Capability("t", "a", "s", List.of("semantic/*", "graph/*"), ops, Optional.empty(), "id"));
        return call;
    }

    private RecallResponse run(RecallRequest.Builder r) {
        return recall.recall(call(List.of("*")), r.setSemanticNamespace(ns).build());
    }

    /** A query by vector, with unit weights (the hand-worked rankings assume them). */
    private RecallRequest.Builder byVector(float[] v) {
        var b = RecallRequest.newBuilder().setGraphNamespace(ns).setWeights(LaneWeights.newBuilder().setGraph(1));
        for (float f : v) {
            b.addQueryVector(f);
        }
        return b;
    }

    private static List<String> ids(RecallResponse r) {
        return r.getHitsList().stream().map(h -> h.getRecord().getId()).toList();
    }

    private static Timestamp at(Instant t) {
        return ProtoTime.timestamp(t);
    }

    private static Optional<LaneRank> lane(RecallHit hit, Lane lane) {
        return hit.getEvidence().getLanesList().stream().filter(l -> l.getLane() == lane).findFirst();
    }

    /**
     * alice -knows-> bob -works_at-> answer (edges valid from 2020), alice -knows-> carol (no
     * record). Against the query axis(0): distractor 0.958, near 0.857, bob 0.196, answer 0.0995.
     */
    private void twoHopFixture() {
        records(rec("distractor", mix(0, 1, 0.3f)), rec("near", mix(0, 2, 0.6f)), rec("bob", mix(4, 0, 0.2f)),
                rec("answer", mix(3, 0, 0.1f)));
        nodes("alice", "bob", "carol", "answer", "distractor");
        edge("e1", "knows", "alice", "bob", PAST);
        edge("e2", "works_at", "bob", "answer", EDGE_FROM);
        edge("e3", "knows", "alice", "carol", PAST);
    }

    @Test
    void aFocalNodeTwoHopsAwayLiftsTheRightRecordAboveACloserDistractor() {
        twoHopFixture();
        // Dense ranks distractor 1, near 2, bob 3, answer 4; graph from alice: bob (1 hop) 1, answer (2 hops) 2.
        // bob 1/63 + 1/61 = .03227, answer 1/64 + 1/62 = .03175, distractor 1/61 = .01639, near 1/62 = .01613.
        RecallResponse r = run(byVector(axis(0)).addFocalNodeIds("alice").setExpandDepth(2).setExplain(true));
        assertThat(ids(r)).containsExactly("bob", "answer", "distractor", "near");
        assertThat(r.getHits(1).getScore()).isCloseTo(1.0 / 64 + 1.0 / 62, within(1e-9));
        RecallHit answer = r.getHits(1);
        assertThat(lane(answer, Lane.LANE_DENSE).orElseThrow().getRank()).isEqualTo(4);
        assertThat(lane(answer, Lane.LANE_GRAPH).orElseThrow().getRank()).isEqualTo(2);
        assertThat(lane(answer, Lane.LANE_GRAPH).orElseThrow().getScore()).isCloseTo(1.0 / 3, within(1e-9));
        assertThat(lane(answer, Lane.LANE_LEXICAL)).isEmpty();
        assertThat(answer.getEvidence().getPathNodeIdsList()).containsExactly("alice", "bob", "answer");
        assertThat(answer.getEvidence().getPathEdgesList()).extracting(Edge::getType).containsExactly("knows", "works_at");
        assertThat(answer.getEvidence().getFusedScore()).isCloseTo(answer.getScore(), within(1e-12));
        assertThat(r.getHits(2).getEvidence().getPathNodeIdsList()).isEmpty();
        assertThat(r.hasSubgraph()).isFalse();

        // Without the graph lane the distractor wins.
        assertThat(ids(run(byVector(axis(0)).setWeights(LaneWeights.newBuilder().setGraph(0)))))
                .containsExactly("distractor", "near", "bob", "answer");
        // One hop from alice reaches bob only.
        assertThat(ids(run(byVector(axis(0)).addFocalNodeIds("alice")))).containsExactly("bob", "distractor", "near",
                "answer");
    }

    @Test
    void theGraphLaneWeighsTwoByDefault() {
        twoHopFixture();
        // bob 1/63 + 2/61 = .04866, answer 1/64 + 2/62 = .03188, distractor 1/61, near 1/62.
        RecallResponse r = run(byVector(axis(0)).clearWeights().addFocalNodeIds("alice").setExpandDepth(2));
        assertThat(ids(r)).containsExactly("bob", "answer", "distractor", "near");
        assertThat(r.getHits(1).getScore()).isCloseTo(1.0 / 64 + 2.0 / 62, within(1e-9));
    }

    @Test
    void asOfBeforeAnEdgesValidFromDropsThatPath() {
        twoHopFixture();
        var q = byVector(axis(0)).addFocalNodeIds("alice").setExpandDepth(2);
        // 2019: bob -works_at-> answer is not valid yet: answer has its dense rank only (1/64).
        assertThat(ids(run(q.clone().setAsOf(at(BEFORE_EDGE))))).containsExactly("bob", "distractor", "near", "answer");
        assertThat(ids(run(q.clone().setAsOf(at(AFTER_EDGE))))).containsExactly("bob", "answer", "distractor", "near");
    }

    @Test
    void aRecordDeletedOrInvalidAtAsOfNeverAppears() {
        twoHopFixture();
        records(rec("answer", mix(3, 0, 0.1f)).withValidity(Optional.of(PAST), Optional.of(Instant.parse("2020-06-01T00:00:00Z"))),
                rec("later", mix(0, 5, 0.1f)).withValidity(Optional.of(Instant.parse("2022-01-01T00:00:00Z")), Optional.empty()));
        index.delete(ns, "near", false);
        nodes("later");
        edge("e4", "knows", "alice", "later", PAST);
        var q = byVector(axis(0)).addFocalNodeIds("alice").setExpandDepth(2);
        // 2021: answer's validity ended in 2020, later is not valid until 2022, near is deleted.
        assertThat(ids(run(q.clone().setAsOf(at(AFTER_EDGE))))).containsExactly("bob", "distractor");
        // Now: later is valid (dense and graph), answer still not.
        assertThat(ids(run(q.clone()))).containsExactlyInAnyOrder("bob", "distractor", "later");
    }

    @Test
    void theFilterNarrowsTheGraphLaneToo() {
        records(SemanticWrite.of("mine", "note", mix(0, 1, 0.5f), Map.of("user", "a")),
                SemanticWrite.of("theirs", "note", mix(3, 0, 0.1f), Map.of("user", "b")));
        nodes("alice", "mine", "theirs");
        edge("e1", "knows", "alice", "theirs", PAST);
        edge("e2", "knows", "alice", "mine", PAST);
        var r = run(byVector(axis(0)).addFocalNodeIds("alice").putFilter("user", "a"));
        assertThat(ids(r)).containsExactly("mine");
    }

    @Test
    void withoutFocalNodesTheWalkStartsFromTheTopSeeds() {
        twoHopFixture();
        records(rec("alice", axis(0)));
        // Dense: alice 1, distractor 2, near 3, bob 4, answer 5; seed alice; graph: alice 1, bob 2, answer 3.
        // alice 2/61 = .03279, bob 1/64 + 1/62 = .03175, answer 1/65 + 1/63 = .03126, distractor 1/62, near 1/63.
        var r = run(byVector(axis(0)).setSeedK(1).setExpandDepth(2).setExplain(true));
        assertThat(ids(r)).containsExactly("alice", "bob", "answer", "distractor", "near");
        assertThat(r.getHits(2).getEvidence().getPathNodeIdsList()).containsExactly("alice", "bob", "answer");
    }

    @Test
    void edgeTypesAndDirectionBoundTheWalk() {
        twoHopFixture();
        var q = byVector(axis(0)).addFocalNodeIds("alice").setExpandDepth(2);
        assertThat(ids(run(q.clone().addEdgeTypes("knows")))).containsExactly("bob", "distractor", "near", "answer");
        // Into alice there is nothing: the graph lane is empty, the dense order remains.
        assertThat(ids(run(q.clone().setDirection(Direction.DIRECTION_IN))))
                .containsExactly("distractor", "near", "bob", "answer");
        // Depth 0: only the focal node itself (no record).
        assertThat(ids(run(q.clone().setExpandDepth(0)))).containsExactly("distractor", "near", "bob", "answer");
    }

    @Test
    void theSubgraphConnectsTheHitsAndTheFocalNodes() {
        twoHopFixture();
        var r = run(byVector(axis(0)).addFocalNodeIds("alice").setExpandDepth(2).setIncludeSubgraph(true).setTopK(2));
        assertThat(ids(r)).containsExactly("bob", "answer");
        assertThat(r.getSubgraph().getNodesList()).extracting(Node::getId).containsExactlyInAnyOrder("alice", "bob", "answer");
        assertThat(r.getSubgraph().getEdgesList()).extracting(Edge::getId).containsExactlyInAnyOrder("e1", "e2");
    }

    @Test
    void theRecencyLaneRanksTheCandidatesByValidFrom() {
        records(rec("r1", axis(0)).withValidity(Optional.of(PAST), Optional.empty()),
                rec("r2", mix(0, 1, 0.5f)).withValidity(Optional.of(Instant.parse("2010-01-01T00:00:00Z")), Optional.empty()),
                rec("r3", mix(0, 1, 1.0f)).withValidity(Optional.of(Instant.parse("2020-01-01T00:00:00Z")), Optional.empty()));
        // Dense r1 1, r2 2, r3 3; recency r3 1, r2 2, r1 3.
        // Weight 1: r1 1/61 + 1/63 = .032266 > r3 (the same, id later) > r2 2/62 = .032258.
        var q = byVector(axis(0)).setWeights(LaneWeights.newBuilder().setRecency(1)).setExplain(true);
        RecallResponse r = run(q);
        assertThat(ids(r)).containsExactly("r1", "r3", "r2");
        assertThat(lane(r.getHits(1), Lane.LANE_RECENCY).orElseThrow().getRank()).isEqualTo(1);
        // Weight 2: r3 1/63 + 2/61 = .04866, r2 3/62 = .04839, r1 1/61 + 2/63 = .04814.
        assertThat(ids(run(byVector(axis(0)).setWeights(LaneWeights.newBuilder().setRecency(2)))))
                .containsExactly("r3", "r2", "r1");
        // Off by default.
        assertThat(ids(run(byVector(axis(0))))).containsExactly("r1", "r2", "r3");
    }

    @Test
    void mmrTradesANearDuplicateForADifferentRecord() {
        records(rec("a", axis(0)), rec("a2", mix(0, 1, 0.05f)), rec("b", mix(0, 2, 0.8f)));
        assertThat(ids(run(byVector(axis(0)).setTopK(2)))).containsExactly("a", "a2");
        // λ 0.5: a2 scores 0.5 · (61/62) − 0.5 · 0.9988 < 0, b 0.5 · (61/63) − 0.5 · 0.781 > 0.
        assertThat(ids(run(byVector(axis(0)).setTopK(2).setMmrLambda(0.5f)))).containsExactly("a", "b");
        assertThat(run(byVector(axis(0)).setMmrLambda(0.5f)).getHits(0).getRecord().getVectorCount()).isZero();
    }

    @Test
    void theLexicalLaneReadsTheQueryText() {
        records(SemanticWrite.of("pie", "apple pie recipe", mix(0, 1, 2f), Map.of()),
                SemanticWrite.of("other", "nothing in common", axis(0), Map.of()));
        var r = run(RecallRequest.newBuilder().setQueryText("apple recipe").setExplain(true));
        RecallHit pie = r.getHitsList().stream().filter(h -> h.getRecord().getId().equals("pie")).findFirst().orElseThrow();
        assertThat(lane(pie, Lane.LANE_LEXICAL).orElseThrow().getRank()).isEqualTo(1);
        assertThat(lane(pie, Lane.LANE_DENSE).orElseThrow().getRank()).isEqualTo(2);
        // pie 1/62 + 1/61 beats other's 1/61 (dense only).
        assertThat(ids(r)).containsExactly("pie", "other");
        assertThat(ids(run(RecallRequest.newBuilder().setQueryText("apple recipe")
                .setWeights(LaneWeights.newBuilder().setLexical(0))))).containsExactly("other", "pie");
    }

    @Test
    void badRequestsAreRefusedAndScopesChecked() {
        assertCode(() -> run(RecallRequest.newBuilder()), Code.INVALID_ARGUMENT);
        assertCode(() -> run(byVector(axis(0)).setExpandDepth(3)), Code.INVALID_ARGUMENT);
        assertCode(() -> run(byVector(axis(0)).setMmrLambda(1.5f)), Code.INVALID_ARGUMENT);
        assertCode(() -> run(byVector(axis(0)).setWeights(LaneWeights.newBuilder().setGraph(-1))), Code.INVALID_ARGUMENT);
        assertCode(() -> run(byVector(new float[3])), Code.INVALID_ARGUMENT);
        assertCode(() -> run(byVector(axis(0)).clearGraphNamespace().addFocalNodeIds("alice")), Code.INVALID_ARGUMENT);
        assertCode(() -> run(byVector(axis(0)).setGraphNamespace("nope")), Code.NOT_FOUND);
        var request = byVector(axis(0)).setSemanticNamespace(ns).build();
        assertCode(() -> recall.recall(call(List.of("recall.query", "semantic.search")), request), Code.PERMISSION_DENIED);
        assertCode(() -> recall.recall(call(List.of("recall.query", "graph.query")), request), Code.PERMISSION_DENIED);
        assertThat(recall.recall(call(List.of("recall.query", "semantic.search")), request.toBuilder()
                .clearGraphNamespace().build()).getHitsList()).isEmpty();
    }

    private static void assertCode(Runnable r, Code code) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
