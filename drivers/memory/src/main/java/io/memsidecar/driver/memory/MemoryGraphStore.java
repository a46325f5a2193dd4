package io.memsidecar.driver.memory;

import io.memsidecar.core.KeyOrder;
import io.memsidecar.graph.spi.Direction;
import io.memsidecar.graph.spi.Expander;
import io.memsidecar.graph.spi.GraphEdge;
import io.memsidecar.graph.spi.GraphNode;
import io.memsidecar.graph.spi.GraphStore;
import io.memsidecar.graph.spi.NeighborQuery;
import io.memsidecar.graph.spi.Reach;
import io.memsidecar.graph.spi.ReachQuery;
import io.memsidecar.graph.spi.Step;
import io.memsidecar.graph.spi.Subgraph;
import io.memsidecar.graph.spi.TraverseQuery;
import io.memsidecar.graph.spi.Walk;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Graphs in process memory: per namespace, nodes and edges by id and adjacency sets of edge ids
 * (sorted by id) per node and direction, under one read/write lock, so a read walks one
 * consistent state and a batch upsert is atomic.
 */
final class MemoryGraphStore implements GraphStore {
    private final Clock clock;
    private final Map<String, Graph> graphs = new ConcurrentHashMap<>();

    MemoryGraphStore(Clock clock) {
        this.clock = clock;
    }

    private static final class Graph {
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        final Map<String, GraphNode> nodes = new HashMap<>();
        final Map<String, GraphEdge> edges = new HashMap<>();
        final Map<String, NavigableSet<String>> out = new HashMap<>();
        final Map<String, NavigableSet<String>> in = new HashMap<>();

        void link(Map<String, NavigableSet<String>> adjacency, String node, String edge) {
            adjacency.computeIfAbsent(node, k -> new TreeSet<>(KeyOrder::compare)).add(edge);
        }

        void unlink(Map<String, NavigableSet<String>> adjacency, String node, String edge) {
            var ids = adjacency.get(node);
            if (ids != null && ids.remove(edge) && ids.isEmpty()) {
                adjacency.remove(node);
            }
        }

        void removeEdge(String id) {
            GraphEdge e = edges.remove(id);
            if (e != null) {
                unlink(out, e.from(), id);
                unlink(in, e.to(), id);
            }
        }

        /** Edge ids incident to the node in the direction, in id order (a self-loop once). */
        NavigableSet<String> incident(String node, Direction direction) {
            var ids = new TreeSet<String>(KeyOrder::compare);
            if (direction.out()) {
                ids.addAll(out.getOrDefault(node, java.util.Collections.emptyNavigableSet()));
            }
            if (direction.in()) {
                ids.addAll(in.getOrDefault(node, java.util.Collections.emptyNavigableSet()));
            }
            return ids;
        }

        Map<String, List<Step>> expand(List<String> from, Direction direction, Set<String> types, int perNode,
                                       Instant t) {
            var result = new LinkedHashMap<String, List<Step>>();
            for (String node : from) {
                var steps = new ArrayList<Step>();
                for (String id : incident(node, direction)) {
                    if (steps.size() == perNode) {
                        break;
                    }
                    GraphEdge e = edges.get(id);
                    GraphNode other = nodes.get(e.otherEnd(node));
                    if ((types.isEmpty() || types.contains(e.type())) && e.validAt(t) && other != null) {
                        steps.add(new Step(e, other));
                    }
                }
                result.put(node, steps);
            }
            return result;
        }
    }

    private Graph graph(String namespace) {
        return graphs.computeIfAbsent(namespace, k -> new Graph());
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static <T> T read(Graph g, Supplier<T> action) {
        g.lock.readLock().lock();
        try {
            return action.get();
        } finally {
            g.lock.readLock().unlock();
        }
    }

    private static <T> T write(Graph g, Supplier<T> action) {
        g.lock.writeLock().lock();
        try {
            return action.get();
        } finally {
            g.lock.writeLock().unlock();
        }
    }

    @Override
    public void upsertNodes(String namespace, List<GraphNode> nodes) {
        Graph g = graph(namespace);
        Instant now = now();
        write(g, () -> {
            for (GraphNode n : nodes) {
                GraphNode old = g.nodes.get(n.id());
                g.nodes.put(n.id(), new GraphNode(n.id(), n.labels(), n.props(), old == null ? now : old.createdAt()));
            }
            return null;
        });
    }

    @Override
    public void upsertEdges(String namespace, List<GraphEdge> edges) {
        Graph g = graph(namespace);
        Instant now = now();
        write(g, () -> {
            for (GraphEdge e : edges) {
                GraphEdge old = g.edges.get(e.id());
                g.removeEdge(e.id());
                g.edges.put(e.id(), new GraphEdge(e.id(), e.type(), e.from(), e.to(), e.props(),
                        old == null ? now : old.createdAt(), e.validFrom(), e.validTo()));
                g.link(g.out, e.from(), e.id());
                g.link(g.in, e.to(), e.id());
            }
            return null;
        });
    }

    @Override
    public Optional<GraphNode> node(String namespace, String id) {
        Graph g = graph(namespace);
        return read(g, () -> Optional.ofNullable(g.nodes.get(id)));
    }

    @Override
    public Optional<Subgraph> neighbors(String namespace, NeighborQuery query) {
        Graph g = graph(namespace);
        Instant t = query.asOf().orElseGet(this::now);
        return read(g, () -> Optional.ofNullable(g.nodes.get(query.nodeId()))
                .map(centre -> Walk.neighbors(centre, query, expander(g, t))));
    }

    @Override
    public Optional<Subgraph> traverse(String namespace, TraverseQuery query) {
        Graph g = graph(namespace);
        Instant t = query.asOf().orElseGet(this::now);
        return read(g, () -> Optional.ofNullable(g.nodes.get(query.startId()))
                .map(start -> Walk.traverse(start, query, expander(g, t))));
    }

    @Override
    public Reach reach(String namespace, ReachQuery query) {
        Graph g = graph(namespace);
        Instant t = query.asOf().orElseGet(this::now);
        return read(g, () -> Walk.reach(query.startIds().stream().map(g.nodes::get).filter(java.util.Objects::nonNull)
                .toList(), query, expander(g, t)));
    }

    private static Expander expander(Graph g, Instant t) {
        return (from, direction, types, perNode) -> g.expand(from, direction, types, perNode, t);
    }

    @Override
    public boolean deleteNode(String namespace, String id, boolean cascade) {
        Graph g = graph(namespace);
        return write(g, () -> {
            if (!g.nodes.containsKey(id)) {
                return false;
            }
            var incident = g.incident(id, Direction.BOTH);
            if (!incident.isEmpty() && !cascade) {
                throw GraphStore.edgesRemain(id, incident.size());
            }
            incident.forEach(g::removeEdge);
            g.nodes.remove(id);
            return true;
        });
    }

    @Override
    public boolean deleteEdge(String namespace, String id) {
        Graph g = graph(namespace);
        return write(g, () -> {
            boolean existed = g.edges.containsKey(id);
            g.removeEdge(id);
            return existed;
        });
    }

    @Override
    public OptionalLong size(String namespace) {
        Graph g = graph(namespace);
        return read(g, () -> OptionalLong.of(g.nodes.size()));
    }
}
