package io.memsidecar.graph.spi;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The semantics of Neighbors and Traverse, written once for every driver: a driver supplies the
 * centre or start node and an {@link Expander} over its data, and gets the same nodes and edges
 * in the same order as every other driver.
 */
public final class Walk {
    private Walk() {
    }

    /**
     * The incident edges of the centre in edge-id order (at most {@code scan} examined), without
     * self-loops, to nodes with any of the wanted labels; nodes in the order first reached,
     * stopping before the edge that would add node {@code limit + 1}.
     */
    public static Subgraph neighbors(GraphNode centre, NeighborQuery q, Expander expander) {
        var nodes = new LinkedHashMap<String, GraphNode>();
        var edges = new ArrayList<GraphEdge>();
        var steps = expander.expand(List.of(centre.id()), q.direction(), q.edgeTypes(), q.scan())
                .getOrDefault(centre.id(), List.of());
        for (Step step : steps) {
            GraphEdge edge = step.edge();
            if (edge.from().equals(edge.to()) || !hasAnyLabel(step.node(), q.nodeLabels())) {
                continue;
            }
            if (!nodes.containsKey(step.node().id())) {
                if (nodes.size() == q.limit()) {
                    break;
                }
                nodes.put(step.node().id(), step.node());
            }
            edges.add(edge);
        }
        return new Subgraph(List.copyOf(nodes.values()), edges);
    }

    /**
     * Breadth-first from {@code start}: level by level, each frontier node's edges in edge-id
     * order (at most {@code fanOut} per node). An edge to a new node adds the node while fewer
     * than {@code maxNodes} are visited (else the edge is skipped: nothing hangs off the result);
     * an edge to a visited node is included once. The walk stops at {@code depth} hops, when
     * {@code maxEdges} edges are collected, or when no new node was reached.
     */
    public static Subgraph traverse(GraphNode start, TraverseQuery q, Expander expander) {
        Reach r = reach(List.of(start), new ReachQuery(List.of(start.id()), q.edgeTypes(), q.direction(), q.depth(),
                q.maxNodes(), q.maxEdges(), q.fanOut(), q.asOf()), expander);
        return new Subgraph(r.nodes().values().stream().map(Reach.Reached::node).toList(), r.edges());
    }

    /**
     * Breadth-first from every start at once, by the rules of {@link #traverse} (a frontier is
     * expanded in the order its nodes were reached, the starts in their order first): each node
     * is reached once, by the first edge to it, and keeps that hop count and start.
     */
    public static Reach reach(List<GraphNode> starts, ReachQuery q, Expander expander) {
        var reached = new LinkedHashMap<String, Reach.Reached>();
        List<String> frontier = new ArrayList<>();
        for (GraphNode s : starts) {
            if (reached.size() < q.maxNodes() && !reached.containsKey(s.id())) {
                reached.put(s.id(), new Reach.Reached(s, 0, frontier.size(), Optional.empty()));
                frontier.add(s.id());
            }
        }
        var edgeIds = new HashSet<String>();
        var edges = new ArrayList<GraphEdge>();
        for (int level = 0; level < q.depth() && !frontier.isEmpty(); level++) {
            Map<String, List<Step>> steps = expander.expand(frontier, q.direction(), q.edgeTypes(), q.fanOut());
            var next = new ArrayList<String>();
            for (String id : frontier) {
                Reach.Reached from = reached.get(id);
                for (Step step : steps.getOrDefault(id, List.of())) {
                    if (edges.size() == q.maxEdges()) {
                        return new Reach(reached, edges);
                    }
                    if (edgeIds.contains(step.edge().id())) {
                        continue;
                    }
                    String other = step.node().id();
                    if (!reached.containsKey(other)) {
                        if (reached.size() >= q.maxNodes()) {
                            continue;
                        }
                        reached.put(other, new Reach.Reached(step.node(), level + 1, from.start(),
                                Optional.of(step.edge())));
                        next.add(other);
                    }
                    edgeIds.add(step.edge().id());
                    edges.add(step.edge());
                }
            }
            frontier = next;
        }
        return new Reach(reached, edges);
    }

    private static boolean hasAnyLabel(GraphNode node, Set<String> wanted) {
        return wanted.isEmpty() || node.labels().stream().anyMatch(wanted::contains);
    }
}
