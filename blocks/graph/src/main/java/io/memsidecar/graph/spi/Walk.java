package io.memsidecar.graph.spi;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        var visited = new LinkedHashMap<String, GraphNode>();
        visited.put(start.id(), start);
        var edgeIds = new HashSet<String>();
        var edges = new ArrayList<GraphEdge>();
        List<String> frontier = List.of(start.id());
        for (int level = 0; level < q.depth() && !frontier.isEmpty(); level++) {
            Map<String, List<Step>> steps = expander.expand(frontier, q.direction(), q.edgeTypes(), q.fanOut());
            var reached = new ArrayList<String>();
            for (String id : frontier) {
                for (Step step : steps.getOrDefault(id, List.of())) {
                    if (edges.size() == q.maxEdges()) {
                        return new Subgraph(List.copyOf(visited.values()), edges);
                    }
                    if (edgeIds.contains(step.edge().id())) {
                        continue;
                    }
                    String other = step.node().id();
                    if (!visited.containsKey(other)) {
                        if (visited.size() >= q.maxNodes()) {
                            continue;
                        }
                        visited.put(other, step.node());
                        reached.add(other);
                    }
                    edgeIds.add(step.edge().id());
                    edges.add(step.edge());
                }
            }
            frontier = reached;
        }
        return new Subgraph(List.copyOf(visited.values()), edges);
    }

    private static boolean hasAnyLabel(GraphNode node, Set<String> wanted) {
        return wanted.isEmpty() || node.labels().stream().anyMatch(wanted::contains);
    }
}
