package io.memsidecar.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memsidecar.core.ApiException;
import io.memsidecar.core.Code;
import io.memsidecar.graph.spi.Direction;
import io.memsidecar.graph.spi.GraphEdge;
import io.memsidecar.graph.spi.GraphNode;
import io.memsidecar.graph.spi.GraphStore;
import io.memsidecar.graph.spi.NeighborQuery;
import io.memsidecar.graph.spi.Subgraph;
import io.memsidecar.graph.spi.TraverseQuery;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The graph contract every driver passes (spec §2.7, §6.6; the walk order of {@code Walk}). */
public abstract class GraphStoreConformance {
    protected final String ns = "conf-" + UUID.randomUUID();
    private static final Instant T1 = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant T2 = Instant.parse("2030-06-01T00:00:00Z");
    private static final Instant PAST = Instant.parse("2001-01-01T00:00:00Z");
    private static final Instant FUTURE = Instant.parse("2099-01-01T00:00:00Z");

    protected abstract GraphStore store();

    private void nodes(String... ids) {
        store().upsertNodes(ns, java.util.Arrays.stream(ids).map(id -> GraphNode.of(id, List.of("L"), Map.of())).toList());
    }

    private static GraphEdge edge(String id, String type, String from, String to) {
        return GraphEdge.of(id, type, from, to, Map.of(), Optional.empty(), Optional.empty());
    }

    private static GraphEdge edge(String id, String from, String to, Instant validFrom, Instant validTo) {
        return GraphEdge.of(id, "t", from, to, Map.of(), Optional.ofNullable(validFrom), Optional.ofNullable(validTo));
    }

    private void edges(GraphEdge... edges) {
        store().upsertEdges(ns, List.of(edges));
    }

    private Subgraph neighbors(String node, Direction direction, Set<String> types, Set<String> labels, int limit,
                               Optional<Instant> asOf) {
        return store().neighbors(ns, new NeighborQuery(node, types, direction, labels, limit, 20_000, asOf)).orElseThrow();
    }

    private Subgraph neighbors(String node, Direction direction) {
        return neighbors(node, direction, Set.of(), Set.of(), 50, Optional.empty());
    }

    private Subgraph traverse(String start, Direction direction, int depth, int maxNodes, int maxEdges, int fanOut) {
        return store().traverse(ns, new TraverseQuery(start, Set.of(), direction, depth, maxNodes, maxEdges, fanOut,
                Optional.empty())).orElseThrow();
    }

    private static List<String> nodeIds(Subgraph g) {
        return g.nodes().stream().map(GraphNode::id).toList();
    }

    private static List<String> edgeIds(Subgraph g) {
        return g.edges().stream().map(GraphEdge::id).toList();
    }

    @Test
    void upsertsAreIdempotentReplaceContentAndKeepCreatedAt() throws InterruptedException {
        store().upsertNodes(ns, List.of(GraphNode.of("paris", List.of("City"), Map.of("pop", "2.1M"))));
        GraphNode first = store().node(ns, "paris").orElseThrow();
        assertThat(first.labels()).containsExactly("City");
        assertThat(first.props()).containsExactly(Map.entry("pop", "2.1M"));
        Thread.sleep(2);
        store().upsertNodes(ns, List.of(GraphNode.of("paris", List.of("City", "Capital"), Map.of("country", "FR"))));
        store().upsertNodes(ns, List.of(GraphNode.of("paris", List.of("City", "Capital"), Map.of("country", "FR"))));
        GraphNode second = store().node(ns, "paris").orElseThrow();
        assertThat(second.labels()).containsExactly("City", "Capital");
        assertThat(second.props()).containsExactly(Map.entry("country", "FR"));
        assertThat(second.createdAt()).isEqualTo(first.createdAt());
        assertThat(store().size(ns)).hasValue(1);

        nodes("france");
        edges(GraphEdge.of("e1", "CAPITAL_OF", "paris", "france", Map.of("since", "987"), Optional.of(T1), Optional.of(T2)));
        GraphEdge e1 = neighbors("paris", Direction.OUT, Set.of(), Set.of(), 50, Optional.of(T1)).edges().get(0);
        assertThat(e1).extracting(GraphEdge::type, GraphEdge::from, GraphEdge::to, GraphEdge::validFrom, GraphEdge::validTo)
                .containsExactly("CAPITAL_OF", "paris", "france", Optional.of(T1), Optional.of(T2));
        assertThat(e1.props()).containsExactly(Map.entry("since", "987"));
        Thread.sleep(2);
        edges(GraphEdge.of("e1", "LOCATED_IN", "paris", "france", Map.of(), Optional.empty(), Optional.empty()));
        GraphEdge again = neighbors("paris", Direction.OUT).edges().get(0);
        assertThat(again.type()).isEqualTo("LOCATED_IN");
        assertThat(again.validFrom()).isEmpty();
        assertThat(again.validTo()).isEmpty();
        assertThat(again.props()).isEmpty();
        assertThat(again.createdAt()).isEqualTo(e1.createdAt());
        assertThat(neighbors("paris", Direction.BOTH).edges()).hasSize(1);
    }

    @Test
    void aMissingNodeIsEmptyEverywhere() {
        assertThat(store().node(ns, "ghost")).isEmpty();
        assertThat(store().neighbors(ns, new NeighborQuery("ghost", Set.of(), Direction.BOTH, Set.of(), 50, 100,
                Optional.empty()))).isEmpty();
        assertThat(store().traverse(ns, new TraverseQuery("ghost", Set.of(), Direction.BOTH, 2, 10, 10, 10,
                Optional.empty()))).isEmpty();
        assertThat(store().size(ns)).hasValue(0);
    }

    @Test
    void neighborsFollowDirectionAndTypeInEdgeIdOrderWithoutSelfLoops() {
        nodes("a", "b", "c", "d");
        edges(edge("e3", "knows", "a", "b"), edge("e1", "likes", "a", "c"), edge("e2", "knows", "d", "a"),
                edge("e0", "knows", "a", "a"));
        assertThat(edgeIds(neighbors("a", Direction.OUT))).containsExactly("e1", "e3");
        assertThat(nodeIds(neighbors("a", Direction.OUT))).containsExactly("c", "b");
        assertThat(nodeIds(neighbors("a", Direction.IN))).containsExactly("d");
        assertThat(nodeIds(neighbors("a", Direction.BOTH))).containsExactly("c", "d", "b");
        Subgraph knows = neighbors("a", Direction.BOTH, Set.of("knows"), Set.of(), 50, Optional.empty());
        assertThat(edgeIds(knows)).containsExactly("e2", "e3");
        assertThat(nodeIds(neighbors("b", Direction.OUT))).isEmpty();
        assertThat(nodeIds(neighbors("b", Direction.IN))).containsExactly("a");
    }

    @Test
    void neighborsFilterByLabelAndStopAtTheLimit() {
        store().upsertNodes(ns, List.of(GraphNode.of("hub", List.of(), Map.of()),
                GraphNode.of("x", List.of("Person"), Map.of()), GraphNode.of("y", List.of("City", "Place"), Map.of()),
                GraphNode.of("z", List.of("Person"), Map.of())));
        edges(edge("1", "r", "hub", "x"), edge("2", "r", "hub", "y"), edge("3", "r", "hub", "z"), edge("4", "s", "hub", "x"));
        assertThat(nodeIds(neighbors("hub", Direction.OUT, Set.of(), Set.of("Person"), 50, Optional.empty())))
                .containsExactly("x", "z");
        assertThat(nodeIds(neighbors("hub", Direction.OUT, Set.of(), Set.of("Place", "Person"), 50, Optional.empty())))
                .containsExactly("x", "y", "z");
        Subgraph two = neighbors("hub", Direction.OUT, Set.of(), Set.of(), 2, Optional.empty());
        assertThat(nodeIds(two)).containsExactly("x", "y");
        assertThat(edgeIds(two)).containsExactly("1", "2");
        Subgraph one = neighbors("hub", Direction.OUT, Set.of(), Set.of("Person"), 1, Optional.empty());
        assertThat(nodeIds(one)).containsExactly("x");
        assertThat(edgeIds(one)).containsExactly("1");
        Subgraph all = neighbors("hub", Direction.OUT);
        assertThat(edgeIds(all)).containsExactly("1", "2", "3", "4");
        assertThat(nodeIds(all)).containsExactly("x", "y", "z");
    }

    @Test
    void edgesToMissingNodesAreSkipped() {
        nodes("a", "b");
        edges(edge("e1", "r", "a", "nowhere"), edge("e2", "r", "a", "b"), edge("e3", "r", "ghost", "a"));
        assertThat(edgeIds(neighbors("a", Direction.BOTH))).containsExactly("e2");
        assertThat(edgeIds(traverse("a", Direction.BOTH, 3, 100, 100, 100))).containsExactly("e2");
    }

    @Test
    void validityWindowsCountFromValidFromUpToButExcludingValidTo() {
        nodes("a", "b", "c", "d", "e", "f");
        edges(edge("closed", "a", "b", T1, T2), edge("open-start", "a", "c", null, T2),
                edge("open-end", "a", "d", T1, null), edge("expired", "a", "e", null, PAST),
                edge("future", "a", "f", FUTURE, null));
        assertThat(edgeIds(neighbors("a", Direction.OUT, Set.of(), Set.of(), 50, Optional.of(T1))))
                .containsExactly("closed", "open-end", "open-start");
        assertThat(edgeIds(neighbors("a", Direction.OUT, Set.of(), Set.of(), 50, Optional.of(T1.minusNanos(1000)))))
                .containsExactly("open-start");
        assertThat(edgeIds(neighbors("a", Direction.OUT, Set.of(), Set.of(), 50, Optional.of(T2.minusNanos(1000)))))
                .containsExactly("closed", "open-end", "open-start");
        assertThat(edgeIds(neighbors("a", Direction.OUT, Set.of(), Set.of(), 50, Optional.of(T2))))
                .containsExactly("open-end");
        assertThat(edgeIds(neighbors("a", Direction.OUT, Set.of(), Set.of(), 50, Optional.of(PAST.minusSeconds(1)))))
                .containsExactly("expired", "open-start");
        // no as_of: the backend's now (after PAST, before T1 and FUTURE)
        assertThat(edgeIds(neighbors("a", Direction.OUT))).containsExactly("open-start");
        assertThat(edgeIds(store().traverse(ns, new TraverseQuery("a", Set.of(), Direction.OUT, 1, 100, 100, 100,
                Optional.of(T1))).orElseThrow())).containsExactly("closed", "open-end", "open-start");
    }

    @Test
    void traverseIsBreadthFirstDeterministicAndVisitsEachNodeOnce() {
        nodes("a", "b", "c", "d", "e");
        // a -> b, a -> c, b -> d, c -> d, d -> a (cycle), d -> e
        edges(edge("ab", "r", "a", "b"), edge("ac", "r", "a", "c"), edge("bd", "r", "b", "d"), edge("cd", "r", "c", "d"),
                edge("da", "r", "d", "a"), edge("de", "r", "d", "e"));
        Subgraph g = traverse("a", Direction.OUT, 5, 100, 100, 100);
        assertThat(nodeIds(g)).containsExactly("a", "b", "c", "d", "e");
        assertThat(edgeIds(g)).containsExactly("ab", "ac", "bd", "cd", "da", "de");
        assertThat(traverse("a", Direction.OUT, 5, 100, 100, 100)).isEqualTo(g);
        Subgraph one = traverse("a", Direction.OUT, 1, 100, 100, 100);
        assertThat(nodeIds(one)).containsExactly("a", "b", "c");
        assertThat(edgeIds(one)).containsExactly("ab", "ac");
        Subgraph two = traverse("a", Direction.OUT, 2, 100, 100, 100);
        assertThat(nodeIds(two)).containsExactly("a", "b", "c", "d");
        assertThat(edgeIds(two)).containsExactly("ab", "ac", "bd", "cd");
        Subgraph in = traverse("a", Direction.IN, 2, 100, 100, 100);
        assertThat(nodeIds(in)).containsExactly("a", "d", "b", "c");
        assertThat(edgeIds(in)).containsExactly("da", "bd", "cd");
        Subgraph both = traverse("e", Direction.BOTH, 1, 100, 100, 100);
        assertThat(nodeIds(both)).containsExactly("e", "d");
        Subgraph typed = store().traverse(ns, new TraverseQuery("a", Set.of("other"), Direction.OUT, 3, 100, 100, 100,
                Optional.empty())).orElseThrow();
        assertThat(nodeIds(typed)).containsExactly("a");
        assertThat(typed.edges()).isEmpty();
    }

    @Test
    void traverseStopsAtMaxNodesMaxEdgesAndFanOut() {
        nodes("hub", "l1", "l2", "l3", "l4", "l5");
        edges(edge("1", "r", "hub", "l1"), edge("2", "r", "hub", "l2"), edge("3", "r", "hub", "l3"),
                edge("4", "r", "hub", "l4"), edge("5", "r", "hub", "l5"), edge("6", "r", "l1", "l2"));
        Subgraph capped = traverse("hub", Direction.OUT, 3, 3, 100, 100);
        assertThat(nodeIds(capped)).containsExactly("hub", "l1", "l2");
        assertThat(edgeIds(capped)).containsExactly("1", "2", "6");
        Subgraph fan = traverse("hub", Direction.OUT, 3, 100, 100, 2);
        assertThat(nodeIds(fan)).containsExactly("hub", "l1", "l2");
        assertThat(edgeIds(fan)).containsExactly("1", "2", "6");
        Subgraph few = traverse("hub", Direction.OUT, 3, 100, 4, 100);
        assertThat(edgeIds(few)).containsExactly("1", "2", "3", "4");
        assertThat(nodeIds(few)).containsExactly("hub", "l1", "l2", "l3", "l4");
        Subgraph alone = traverse("hub", Direction.OUT, 3, 1, 100, 100);
        assertThat(nodeIds(alone)).containsExactly("hub");
        assertThat(alone.edges()).isEmpty();
    }

    @Test
    void reUpsertingAnEdgeMovesItsEnds() {
        nodes("a", "b", "c");
        edges(edge("e", "r", "a", "b"));
        edges(edge("e", "r", "c", "a"));
        assertThat(nodeIds(neighbors("a", Direction.OUT))).isEmpty();
        assertThat(nodeIds(neighbors("a", Direction.IN))).containsExactly("c");
        assertThat(nodeIds(neighbors("b", Direction.BOTH))).isEmpty();
    }

    @Test
    void deleteNodeRefusesWhileEdgesRemainUnlessCascade() {
        nodes("a", "b", "c");
        edges(edge("ab", "r", "a", "b"), edge("ca", "r", "c", "a"), edge("bc", "r", "b", "c"));
        assertThatThrownBy(() -> store().deleteNode(ns, "a", false)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo(Code.FAILED_PRECONDITION));
        assertThat(store().node(ns, "a")).isPresent();
        assertThat(edgeIds(neighbors("a", Direction.BOTH))).containsExactly("ab", "ca");
        assertThat(store().deleteNode(ns, "a", true)).isTrue();
        assertThat(store().node(ns, "a")).isEmpty();
        assertThat(edgeIds(neighbors("b", Direction.BOTH))).containsExactly("bc");
        assertThat(store().deleteEdge(ns, "ab")).isFalse();
        assertThat(store().deleteNode(ns, "a", true)).isFalse();
        assertThat(store().deleteNode(ns, "ghost", false)).isFalse();
        assertThat(store().deleteEdge(ns, "bc")).isTrue();
        assertThat(store().deleteEdge(ns, "bc")).isFalse();
        assertThat(store().deleteNode(ns, "b", false)).isTrue();
        assertThat(store().size(ns)).hasValue(1);
    }

    @Test
    void concurrentUpsertsOfTheSameEdgeLoseNothing() throws Exception {
        nodes("a", "b");
        int writers = 8;
        int rounds = 50;
        var pool = Executors.newFixedThreadPool(writers);
        try {
            var tasks = new ArrayList<Callable<Void>>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                tasks.add(() -> {
                    for (int i = 0; i < rounds; i++) {
                        store().upsertEdges(ns, List.of(
                                GraphEdge.of("shared", "r", "a", "b", Map.of("writer", "w" + writer), Optional.empty(),
                                        Optional.empty()),
                                edge("own-" + writer + "-" + i, "r", "a", "b")));
                        store().upsertNodes(ns, List.of(GraphNode.of("b", List.of("w" + writer), Map.of())));
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        Subgraph g = neighbors("a", Direction.OUT, Set.of(), Set.of(), 50, Optional.empty());
        assertThat(nodeIds(g)).containsExactly("b");
        assertThat(g.edges()).hasSize(writers * rounds + 1);
        assertThat(edgeIds(g).stream().filter("shared"::equals)).hasSize(1);
        assertThat(g.edges().stream().filter(e -> e.id().equals("shared")).findFirst().orElseThrow().props().get("writer"))
                .matches("w[0-7]");
        assertThat(store().size(ns)).hasValue(2);
    }

    @Test
    void namespacesAreIsolated() {
        nodes("a", "b");
        edges(edge("ab", "r", "a", "b"));
        String other = ns + "-other";
        assertThat(store().node(other, "a")).isEmpty();
        store().upsertNodes(other, List.of(GraphNode.of("a", List.of(), Map.of())));
        assertThat(store().neighbors(other, new NeighborQuery("a", Set.of(), Direction.BOTH, Set.of(), 50, 100,
                Optional.empty())).orElseThrow().nodes()).isEmpty();
        assertThat(store().deleteNode(other, "a", false)).isTrue();
        assertThat(store().node(ns, "a")).isPresent();
        assertThat(store().deleteEdge(other, "ab")).isFalse();
        assertThat(store().size(other)).hasValue(0);
        assertThat(store().size(ns)).hasValue(2);
    }
}
