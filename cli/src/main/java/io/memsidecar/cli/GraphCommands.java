package io.memsidecar.cli;

import io.memsidecar.proto.graph.v1.DeleteEdgeRequest;
import io.memsidecar.proto.graph.v1.DeleteNodeRequest;
import io.memsidecar.proto.graph.v1.Direction;
import io.memsidecar.proto.graph.v1.Edge;
import io.memsidecar.proto.graph.v1.GetNodeRequest;
import io.memsidecar.proto.graph.v1.GraphGrpc;
import io.memsidecar.proto.graph.v1.NeighborsRequest;
import io.memsidecar.proto.graph.v1.Node;
import io.memsidecar.proto.graph.v1.TraverseRequest;
import io.memsidecar.proto.graph.v1.UpsertEdgesRequest;
import io.memsidecar.proto.graph.v1.UpsertNodesRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "graph", description = "Nodes and edges with validity: upsert-node, upsert-edge, get, neighbors, traverse, rm.",
        subcommands = {GraphCommands.UpsertNode.class, GraphCommands.UpsertEdge.class, GraphCommands.Get.class,
                GraphCommands.Neighbors.class, GraphCommands.Traverse.class, GraphCommands.Rm.class})
final class GraphCommands {
    static Direction direction(String d) {
        return d == null ? Direction.DIRECTION_UNSPECIFIED : Direction.valueOf("DIRECTION_" + d.toUpperCase(Locale.ROOT));
    }

    /** Nodes, then edges: two tables, or one JSON object for the whole answer. */
    private static void subgraph(Out out, com.google.protobuf.MessageOrBuilder whole, List<Node> nodes, List<Edge> edges) {
        out.print(whole, () -> {
            var n = out.table(new int[] {24, 24}, "NODE", "LABELS", "PROPS");
            nodes.forEach(node -> n.row(node.getId(), String.join(",", node.getLabelsList()), Out.map(node.getPropsMap())));
            n.end();
            out.line("");
            var e = out.table(new int[] {24, 16, 24, 24}, "EDGE", "TYPE", "FROM", "TO", "VALID");
            edges.forEach(edge -> e.row(edge.getId(), edge.getType(), edge.getFrom(), edge.getTo(),
                    Out.time(edge.getValidFrom()) + " .. " + Out.time(edge.getValidTo())));
            e.end();
        });
    }

    @Command(name = "upsert-node", description = "Create or replace a node.",
            footer = {"%nExample:", "  memctl graph upsert-node world paris --label City --prop population=2100000"})
    static final class UpsertNode extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "ID")
        String id;
        @Option(names = "--label", paramLabel = "LABEL", description = "Label (repeatable).")
        List<String> labels = List.of();
        @Option(names = "--prop", paramLabel = "KEY=VALUE", description = "Property (repeatable).")
        Map<String, String> props = Map.of();

        @Override
        int run(Connection c, Out out) {
            var r = c.unary(GraphGrpc::newBlockingStub).upsertNodes(UpsertNodesRequest.newBuilder().setNamespace(namespace)
                    .addNodes(Node.newBuilder().setId(id).addAllLabels(labels).putAllProps(props)).build());
            out.print(r, () -> out.line("upserted node " + r.getIds(0)));
            return Memctl.OK;
        }
    }

    @Command(name = "upsert-edge", description = "Create or replace an edge FROM -[TYPE]-> TO.",
            footer = {"%nExample:", "  memctl graph upsert-edge world e1 CAPITAL_OF paris france --valid-from 2020-01-01T00:00:00Z"})
    static final class UpsertEdge extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "ID")
        String id;
        @Parameters(index = "2", paramLabel = "TYPE")
        String type;
        @Parameters(index = "3", paramLabel = "FROM")
        String from;
        @Parameters(index = "4", paramLabel = "TO")
        String to;
        @Option(names = "--prop", paramLabel = "KEY=VALUE", description = "Property (repeatable).")
        Map<String, String> props = Map.of();
        @Option(names = "--valid-from", paramLabel = "RFC3339")
        String validFrom;
        @Option(names = "--valid-to", paramLabel = "RFC3339")
        String validTo;

        @Override
        int run(Connection c, Out out) {
            var edge = Edge.newBuilder().setId(id).setType(type).setFrom(from).setTo(to).putAllProps(props);
            if (validFrom != null) {
                edge.setValidFrom(Inputs.time(validFrom));
            }
            if (validTo != null) {
                edge.setValidTo(Inputs.time(validTo));
            }
            var r = c.unary(GraphGrpc::newBlockingStub).upsertEdges(UpsertEdgesRequest.newBuilder().setNamespace(namespace)
                    .addEdges(edge).build());
            out.print(r, () -> out.line("upserted edge " + r.getIds(0)));
            return Memctl.OK;
        }
    }

    @Command(name = "get", description = "Print a node (exit 2 if absent).")
    static final class Get extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "ID")
        String id;

        @Override
        int run(Connection c, Out out) {
            Node n = c.unary(GraphGrpc::newBlockingStub).getNode(GetNodeRequest.newBuilder().setNamespace(namespace).setId(id).build());
            out.print(n, () -> {
                out.line("id:      " + n.getId());
                out.line("labels:  " + String.join(",", n.getLabelsList()));
                out.line("props:   " + Out.map(n.getPropsMap()));
                out.line("created: " + Out.time(n.getCreatedAt()));
            });
            return Memctl.OK;
        }
    }

    @Command(name = "neighbors", description = "A node's neighbours and the edges to them (both directions by default).",
            footer = {"%nExample:", "  memctl graph neighbors world paris --edge-types CAPITAL_OF --direction out"})
    static final class Neighbors extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "NODE")
        String node;
        @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "At most N nodes (0: the server's default, 50).")
        int limit;
        @Option(names = "--edge-types", split = ",", paramLabel = "TYPE", description = "Only edges of these types, e.g. KNOWS,CITES.")
        List<String> edgeTypes = List.of();
        @Option(names = "--labels", split = ",", paramLabel = "LABEL", description = "Only neighbours with one of these labels.")
        List<String> labels = List.of();
        @Option(names = "--direction", paramLabel = "DIR", description = "out, in or both (default).")
        String direction;
        @Option(names = "--as-of", paramLabel = "RFC3339", description = "Edges valid at this time (default: now).")
        String asOf;

        @Override
        int run(Connection c, Out out) {
            var b = NeighborsRequest.newBuilder().setNamespace(namespace).setNodeId(node).setLimit(limit)
                    .addAllEdgeTypes(edgeTypes).addAllNodeLabels(labels).setDirection(direction(direction));
            if (asOf != null) {
                b.setAsOf(Inputs.time(asOf));
            }
            var r = c.unary(GraphGrpc::newBlockingStub).neighbors(b.build());
            subgraph(out, r, r.getNodesList(), r.getEdgesList());
            return Memctl.OK;
        }
    }

    @Command(name = "traverse", description = "The subgraph reached from a node, breadth-first.",
            footer = {"%nExample:", "  memctl graph traverse world paris --depth 2 --max-nodes 100"})
    static final class Traverse extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "START")
        String start;
        @Option(names = "--depth", defaultValue = "0", paramLabel = "N", description = "Hops (0: the server's default, 1; max 5).")
        int depth;
        @Option(names = "--max-nodes", defaultValue = "0", paramLabel = "N")
        int maxNodes;
        @Option(names = "--edge-types", split = ",", paramLabel = "TYPE")
        List<String> edgeTypes = List.of();
        @Option(names = "--direction", paramLabel = "DIR", description = "out, in or both (default).")
        String direction;
        @Option(names = "--as-of", paramLabel = "RFC3339")
        String asOf;

        @Override
        int run(Connection c, Out out) {
            var b = TraverseRequest.newBuilder().setNamespace(namespace).setStartId(start).setDepth(depth).setMaxNodes(maxNodes)
                    .addAllEdgeTypes(edgeTypes).setDirection(direction(direction));
            if (asOf != null) {
                b.setAsOf(Inputs.time(asOf));
            }
            var r = c.unary(GraphGrpc::newBlockingStub).traverse(b.build());
            subgraph(out, r, r.getNodesList(), r.getEdgesList());
            return Memctl.OK;
        }
    }

    @Command(name = "rm", aliases = "delete", description = "Delete a node (or an edge with --edge); exit 2 if it did not exist.")
    static final class Rm extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "ID")
        String id;
        @Option(names = "--edge", description = "ID names an edge.")
        boolean edge;
        @Option(names = "--cascade", description = "Also delete the node's edges (else a node with edges is refused, exit 4).")
        boolean cascade;

        @Override
        int run(Connection c, Out out) {
            var stub = c.unary(GraphGrpc::newBlockingStub);
            if (edge) {
                var r = stub.deleteEdge(DeleteEdgeRequest.newBuilder().setNamespace(namespace).setId(id).build());
                return out.existed(r, r.getExisted(), "deleted");
            }
            var r = stub.deleteNode(DeleteNodeRequest.newBuilder().setNamespace(namespace).setId(id).setCascade(cascade).build());
            return out.existed(r, r.getExisted(), "deleted");
        }
    }
}
