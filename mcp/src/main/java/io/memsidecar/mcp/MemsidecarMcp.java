package io.memsidecar.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.memsidecar.proto.admin.v1.AdminGrpc;
import io.memsidecar.proto.admin.v1.ListNamespacesRequest;
import io.memsidecar.proto.admin.v1.ListNamespacesResponse;
import io.memsidecar.proto.admin.v1.NamespaceInfo;
import io.memsidecar.proto.episodic.v1.AppendRequest;
import io.memsidecar.proto.episodic.v1.EpisodicGrpc;
import io.memsidecar.proto.episodic.v1.Event;
import io.memsidecar.proto.episodic.v1.RangeRequest;
import io.memsidecar.proto.graph.v1.Edge;
import io.memsidecar.proto.graph.v1.GraphGrpc;
import io.memsidecar.proto.graph.v1.NeighborsRequest;
import io.memsidecar.proto.graph.v1.Node;
import io.memsidecar.proto.graph.v1.TraverseRequest;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.GetResponse;
import io.memsidecar.proto.kv.v1.KVGrpc;
import io.memsidecar.proto.kv.v1.PutRequest;
import io.memsidecar.proto.recall.v1.RecallGrpc;
import io.memsidecar.proto.recall.v1.RecallHit;
import io.memsidecar.proto.recall.v1.RecallRequest;
import io.memsidecar.proto.semantic.v1.Hit;
import io.memsidecar.proto.semantic.v1.Record;
import io.memsidecar.proto.semantic.v1.SearchRequest;
import io.memsidecar.proto.semantic.v1.SemanticGrpc;
import io.memsidecar.proto.semantic.v1.UpsertRequest;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpStatelessServerTransport;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The MCP face of memsidecar (spec §11): server name {@code memsidecar}, the eight tools
 * {@code kv_get}, {@code kv_put}, {@code semantic_search}, {@code semantic_upsert},
 * {@code episodic_append}, {@code episodic_range}, {@code graph_neighbors},
 * {@code graph_traverse} with the original's inputs and outputs, {@code recall} (ours: the Recall
 * call, explained), and the namespaces as
 * resources. Every tool calls the API through an {@link Rpc}, so scopes, policy and rate limits
 * apply to it as to any call; a failure is a tool error {@code CODE: message}, never a crash.
 * Artifact and lease are left out on purpose, as in the original: blobs and locks do not suit
 * LLM tools.
 */
public final class MemsidecarMcp {
    public static final String SERVER_NAME = "memsidecar";
    /** Every tool call's deadline. */
    public static final java.time.Duration TOOL_TIMEOUT = java.time.Duration.ofSeconds(20);
    /** The resource listing every namespace the caller may inspect. */
    public static final String NAMESPACES_URI = "memsidecar://namespaces";

    /** The blocks that have tools; their namespaces are listed as resources. */
    private static final java.util.Set<String> TOOL_BLOCKS = java.util.Set.of("kv", "semantic", "episodic", "graph");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final McpJsonMapper MAPPER = new JacksonMcpJsonMapper(JSON);
    private static final JsonFormat.Printer PROTO_JSON = JsonFormat.printer();
    private static final String INSTRUCTIONS = """
            memsidecar is this agent's durable memory. kv holds exact values under known keys; \
            semantic finds stored texts by meaning; episodic is an ordered event log (conversations, \
            actions); graph holds entities and their relations. Every tool names a namespace: read \
            the resource memsidecar://namespaces to see which exist for each block.""";

    private record ToolDef(McpSchema.Tool tool, BiFunction<Rpc, Args, String> run) {
    }

    private final String version;
    private final List<ToolDef> tools;

    public MemsidecarMcp(String version) {
        this.version = version;
        this.tools = List.of(
                tool("kv_get", true, """
                        Read the value stored under one key of a KV namespace (exact lookup by a known key). \
                        Returns the value as text, or "(not found)" when the key is absent or expired. \
                        To find memories by meaning rather than by key, use semantic_search.""",
                        props(NAMESPACE_KV, "key", str("The exact key, e.g. user:42:preferences.")),
                        List.of("namespace", "key"), MemsidecarMcp::kvGet),
                tool("kv_put", false, """
                        Store a text value under a key of a KV namespace, replacing any earlier value (last write \
                        wins). With ttl_seconds the value expires after that many seconds. Returns \
                        "ok (version N)"; the version grows with every write of the key.""",
                        props(NAMESPACE_KV, "key", str("The key to write, e.g. user:42:preferences."),
                                "value", str("The value to store (text)."),
                                "ttl_seconds", integer("Optional lifetime in seconds; omit to keep it until overwritten.")),
                        List.of("namespace", "key", "value"), MemsidecarMcp::kvPut),
                tool("semantic_search", true, """
                        Recall stored texts by meaning from a semantic namespace (vector or hybrid search; the \
                        server embeds the query). Returns a JSON array of at most top_k hits, best first: \
                        [{"id", "score", "content"}]. Use it to find facts or notes related to a question when \
                        the exact key is not known.""",
                        props(NAMESPACE_SEMANTIC, "query", str("What to look for, in natural language."),
                                "top_k", integer("How many hits at most (default 10).")),
                        List.of("namespace", "query"), MemsidecarMcp::semanticSearch),
                tool("semantic_upsert", false, """
                        Remember a text in a semantic namespace so that semantic_search finds it later (the \
                        server embeds it). Give an id to replace an earlier record with that id; without one a \
                        new id is generated. Returns "stored id <id>".""",
                        props(NAMESPACE_SEMANTIC, "id", str("Optional record id; reusing an id replaces that record."),
                                "content", str("The text to remember.")),
                        List.of("namespace", "content"), MemsidecarMcp::semanticUpsert),
                tool("episodic_append", false, """
                        Append one event to an episodic namespace: an append-only log in order (a conversation, \
                        an agent's actions). type names the event (e.g. message, tool_call, observation), \
                        payload is its text, role and session_id let episodic_range filter later. Returns \
                        "appended cursor N"; cursors grow with every event.""",
                        props(NAMESPACE_EPISODIC, "type", str("The event type, e.g. message or tool_call."),
                                "payload", str("The event's content (text)."),
                                "role", str("Who produced it, e.g. user, assistant, tool."),
                                "session_id", str("The conversation or run it belongs to.")),
                        List.of("namespace", "type"), MemsidecarMcp::episodicAppend),
                tool("episodic_range", true, """
                        Read events of an episodic namespace in order, oldest first: those after after_cursor \
                        (exclusive; 0 or omitted = from the start), at most limit (default 50), optionally only \
                        one session_id, role or type. Returns a JSON array of \
                        {"cursor", "type", "role", "session_id", "payload"}. To read on, pass the last cursor \
                        as after_cursor.""",
                        props(NAMESPACE_EPISODIC, "after_cursor", integer("Return events after this cursor (exclusive)."),
                                "limit", integer("How many events at most (default 50)."),
                                "session_id", str("Only events of this session."),
                                "role", str("Only events with this role."),
                                "type", str("Only events of this type.")),
                        List.of("namespace"), MemsidecarMcp::episodicRange),
                tool("graph_neighbors", true, """
                        List the nodes directly linked to node_id in a graph namespace (edges in both \
                        directions, valid now) and the edges that link them; edge_types keeps only edges of \
                        those types. Returns JSON {"nodes": [{"id", "labels"}], "edges": [{"id", "type", \
                        "from", "to"}]}. Fails with NOT_FOUND if node_id does not exist.""",
                        props(NAMESPACE_GRAPH, "node_id", str("The node whose neighbours to list."),
                                "edge_types", strings("Only edges of these types, e.g. [\"KNOWS\"]."),
                                "limit", integer("How many neighbour nodes at most (default 50, max 1000).")),
                        List.of("namespace", "node_id"), MemsidecarMcp::graphNeighbors),
                tool("graph_traverse", true, """
                        Explore a graph namespace from start_id breadth-first, following edges in both \
                        directions up to depth hops (default 1, max 5) and max_nodes nodes (default 1000). \
                        Returns the subgraph reached as JSON {"nodes": [{"id", "labels"}], "edges": [{"id", \
                        "type", "from", "to"}]}. Fails with NOT_FOUND if start_id does not exist.""",
                        props(NAMESPACE_GRAPH, "start_id", str("The node to start from."),
                                "depth", integer("How many hops at most (default 1, max 5)."),
                                "max_nodes", integer("How many nodes at most (default 1000).")),
                        List.of("namespace", "start_id"), MemsidecarMcp::graphTraverse),
                tool("recall", true, """
                        Recall the records of a semantic namespace that best answer a question, fusing meaning \
                        (vector), words (lexical) and, with graph_namespace, closeness in that graph to \
                        focal_node_ids (or to the best matches) within expand_depth hops. Returns a JSON array \
                        of at most top_k hits, best first: [{"id", "score", "content", "lanes": {"dense": rank, \
                        …}, "path": [node ids from a focal node to the hit]}]. Prefer it to semantic_search when \
                        the question is about something related to a known entity.""",
                        props(NAMESPACE_SEMANTIC, "query", str("What to look for, in natural language."),
                                "graph_namespace", str("Optional graph namespace whose node ids name records."),
                                "focal_node_ids", strings("Optional graph nodes the question is about."),
                                "expand_depth", integer("Hops from the focal nodes, 0 to 2 (default 1)."),
                                "edge_types", strings("Only follow edges of these types."),
                                "top_k", integer("How many hits at most (default 10).")),
                        List.of("namespace", "query"), MemsidecarMcp::recall));
    }

    /** The tool names, in the order of spec §11. */
    public List<String> toolNames() {
        return tools.stream().map(t -> t.tool().name()).toList();
    }

    // ---- servers

    /**
     * An MCP server on stdio ({@code memctl mcp}): JSON-RPC on {@code out}, nothing else written
     * there. {@code namespaces}: those to list as resources (those the token may see).
     */
    public McpSyncServer stdio(Rpc rpc, InputStream in, OutputStream out, List<NamespaceInfo> namespaces) {
        var spec = McpServer.sync(new StdioServerTransportProvider(MAPPER, in, out))
                .serverInfo(SERVER_NAME, version).instructions(INSTRUCTIONS).jsonMapper(MAPPER)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).resources(false, false).build());
        for (ToolDef t : tools) {
            spec.toolCall(t.tool(), (exchange, request) -> call(t, rpc, request.arguments()));
        }
        for (McpSchema.Resource r : resources(namespaces)) {
            spec.resources(new McpServerFeatures.SyncResourceSpecification(r, (exchange, request) -> read(rpc, r)));
        }
        return spec.build();
    }

    /**
     * A stateless MCP server for a streamable HTTP endpoint: {@code rpcs} gives the {@link Rpc}
     * of one request (carrying that caller's token).
     */
    public McpStatelessSyncServer stateless(McpStatelessServerTransport transport, Function<McpTransportContext, Rpc> rpcs,
                                            List<NamespaceInfo> namespaces) {
        var spec = McpServer.sync(transport).serverInfo(SERVER_NAME, version).instructions(INSTRUCTIONS).jsonMapper(MAPPER)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).resources(false, false).build());
        for (ToolDef t : tools) {
            spec.toolCall(t.tool(), (context, request) -> call(t, rpcs.apply(context), request.arguments()));
        }
        for (McpSchema.Resource r : resources(namespaces)) {
            spec.resources(new McpStatelessServerFeatures.SyncResourceSpecification(r,
                    (context, request) -> read(rpcs.apply(context), r)));
        }
        return spec.build();
    }

    public static McpJsonMapper jsonMapper() {
        return MAPPER;
    }

    // ---- resources

    private static List<McpSchema.Resource> resources(List<NamespaceInfo> namespaces) {
        var out = new java.util.ArrayList<McpSchema.Resource>();
        out.add(McpSchema.Resource.builder(NAMESPACES_URI, "namespaces").title("memsidecar namespaces")
                .description("Every namespace of this memsidecar by block (kv, episodic, semantic, artifact, lease, "
                        + "graph), with its backend, driver, item count and embedder (needs op admin.inspect).")
                .mimeType("application/json").build());
        namespaces.stream().filter(ns -> TOOL_BLOCKS.contains(ns.getBlock()))
                .sorted(java.util.Comparator.comparing(NamespaceInfo::getBlock).thenComparing(NamespaceInfo::getName))
                .forEach(ns -> out.add(McpSchema.Resource.builder(NAMESPACES_URI + "/" + ns.getBlock() + "/" + ns.getName(),
                                ns.getBlock() + "/" + ns.getName())
                        .description("The " + ns.getBlock() + " namespace \"" + ns.getName() + "\": pass \"" + ns.getName()
                                + "\" as namespace to the " + ns.getBlock() + "_* tools.")
                        .mimeType("application/json").build()));
        return out;
    }

    private static McpSchema.ReadResourceResult read(Rpc rpc, McpSchema.Resource resource) {
        ListNamespacesResponse all = rpc.unary(AdminGrpc.getListNamespacesMethod(), ListNamespacesRequest.getDefaultInstance());
        String text;
        try {
            if (resource.uri().equals(NAMESPACES_URI)) {
                text = PROTO_JSON.print(all);
            } else {
                NamespaceInfo one = all.getNamespacesList().stream()
                        .filter(ns -> resource.name().equals(ns.getBlock() + "/" + ns.getName())).findFirst()
                        .orElseThrow(() -> new Rpc.RpcException("NOT_FOUND", "no namespace " + resource.name()));
                text = PROTO_JSON.print(one);
            }
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
        return new McpSchema.ReadResourceResult(List.of(
                new McpSchema.TextResourceContents(resource.uri(), "application/json", text, null)));
    }

    // ---- tool calls

    private static CallToolResult call(ToolDef tool, Rpc rpc, Map<String, Object> arguments) {
        try {
            return CallToolResult.builder().addTextContent(tool.run().apply(rpc, new Args(arguments))).isError(false).build();
        } catch (Rpc.RpcException e) {
            return CallToolResult.builder().addTextContent(e.toString()).isError(true).build();
        } catch (IllegalArgumentException e) {
            return CallToolResult.builder().addTextContent("INVALID_ARGUMENT: " + e.getMessage()).isError(true).build();
        } catch (RuntimeException e) {
            System.getLogger(MemsidecarMcp.class.getName()).log(System.Logger.Level.WARNING,
                    "tool " + tool.tool().name() + " failed", e);
            return CallToolResult.builder().addTextContent("INTERNAL: " + tool.tool().name() + " failed: " + e)
                    .isError(true).build();
        }
    }

    private static String kvGet(Rpc rpc, Args a) {
        GetResponse r = rpc.unary(KVGrpc.getGetMethod(),
                GetRequest.newBuilder().setNamespace(a.required("namespace")).setKey(a.required("key")).build());
        return r.getFound() ? text(r.getValue()) : "(not found)";
    }

    private static String kvPut(Rpc rpc, Args a) {
        var b = PutRequest.newBuilder().setNamespace(a.required("namespace")).setKey(a.required("key"))
                .setValue(ByteString.copyFromUtf8(a.required("value")));
        long ttl = a.number("ttl_seconds", 0);
        if (ttl < 0) {
            throw new IllegalArgumentException("ttl_seconds must not be negative");
        }
        if (ttl > 0) {
            b.setTtl(Duration.newBuilder().setSeconds(ttl));
        }
        return "ok (version " + rpc.unary(KVGrpc.getPutMethod(), b.build()).getVersion() + ")";
    }

    private static String semanticSearch(Rpc rpc, Args a) {
        var r = rpc.unary(SemanticGrpc.getSearchMethod(), SearchRequest.newBuilder().setNamespace(a.required("namespace"))
                .setQueryText(a.required("query")).setTopK(a.count("top_k", 10)).build());
        ArrayNode hits = JSON.createArrayNode();
        for (Hit h : r.getHitsList()) {
            hits.addObject().put("id", h.getRecord().getId()).put("score", h.getScore()).put("content", h.getRecord().getContent());
        }
        return hits.toString();
    }

    private static String semanticUpsert(Rpc rpc, Args a) {
        var r = rpc.unary(SemanticGrpc.getUpsertMethod(), UpsertRequest.newBuilder().setNamespace(a.required("namespace"))
                .addRecords(Record.newBuilder().setId(a.optional("id")).setContent(a.required("content"))).build());
        return "stored id " + r.getIds(0);
    }

    private static String episodicAppend(Rpc rpc, Args a) {
        var r = rpc.unary(EpisodicGrpc.getAppendMethod(), AppendRequest.newBuilder().setNamespace(a.required("namespace"))
                .setType(a.required("type")).setPayload(ByteString.copyFromUtf8(a.optional("payload")))
                .setRole(a.optional("role")).setSessionId(a.optional("session_id")).build());
        return "appended cursor " + r.getEvent().getCursor();
    }

    private static String episodicRange(Rpc rpc, Args a) {
        List<Event> events = rpc.collect(EpisodicGrpc.getRangeMethod(), RangeRequest.newBuilder()
                .setNamespace(a.required("namespace")).setAfterCursor(a.number("after_cursor", 0))
                .setLimit(a.count("limit", 50)).setSessionId(a.optional("session_id")).setRole(a.optional("role"))
                .setType(a.optional("type")).build());
        ArrayNode out = JSON.createArrayNode();
        for (Event e : events) {
            ObjectNode o = out.addObject().put("cursor", e.getCursor()).put("type", e.getType()).put("role", e.getRole())
                    .put("session_id", e.getSessionId());
            putPayload(o, e.getPayload());
        }
        return out.toString();
    }

    private static String graphNeighbors(Rpc rpc, Args a) {
        var r = rpc.unary(GraphGrpc.getNeighborsMethod(), NeighborsRequest.newBuilder().setNamespace(a.required("namespace"))
                .setNodeId(a.required("node_id")).addAllEdgeTypes(a.strings("edge_types")).setLimit(a.count("limit", 0)).build());
        return subgraph(r.getNodesList(), r.getEdgesList());
    }

    private static String graphTraverse(Rpc rpc, Args a) {
        var r = rpc.unary(GraphGrpc.getTraverseMethod(), TraverseRequest.newBuilder().setNamespace(a.required("namespace"))
                .setStartId(a.required("start_id")).setDepth(a.count("depth", 0)).setMaxNodes(a.count("max_nodes", 0)).build());
        return subgraph(r.getNodesList(), r.getEdgesList());
    }

    private static String recall(Rpc rpc, Args a) {
        var b = RecallRequest.newBuilder().setSemanticNamespace(a.required("namespace")).setQueryText(a.required("query"))
                .setGraphNamespace(a.optional("graph_namespace")).addAllFocalNodeIds(a.strings("focal_node_ids"))
                .addAllEdgeTypes(a.strings("edge_types")).setTopK(a.count("top_k", 10)).setExplain(true);
        if (a.values().get("expand_depth") != null) {
            b.setExpandDepth(a.count("expand_depth", 1));
        }
        ArrayNode hits = JSON.createArrayNode();
        for (RecallHit h : rpc.unary(RecallGrpc.getRecallMethod(), b.build()).getHitsList()) {
            ObjectNode o = hits.addObject().put("id", h.getRecord().getId()).put("score", h.getScore())
                    .put("content", h.getRecord().getContent());
            ObjectNode lanes = o.putObject("lanes");
            h.getEvidence().getLanesList().forEach(l -> lanes.put(
                    l.getLane().name().substring("LANE_".length()).toLowerCase(java.util.Locale.ROOT), l.getRank()));
            if (h.getEvidence().getPathNodeIdsCount() > 0) {
                h.getEvidence().getPathNodeIdsList().forEach(o.putArray("path")::add);
            }
        }
        return hits.toString();
    }

    private static String subgraph(List<Node> nodes, List<Edge> edges) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode ns = out.putArray("nodes");
        for (Node n : nodes) {
            n.getLabelsList().forEach(ns.addObject().put("id", n.getId()).putArray("labels")::add);
        }
        ArrayNode es = out.putArray("edges");
        for (Edge e : edges) {
            es.addObject().put("id", e.getId()).put("type", e.getType()).put("from", e.getFrom()).put("to", e.getTo());
        }
        return out.toString();
    }

    /** A value as text; bytes that are not UTF-8 are shown as base64, marked as such. */
    private static String text(ByteString value) {
        return value.isValidUtf8() ? value.toStringUtf8()
                : "(binary, " + value.size() + " bytes, base64) " + Base64.getEncoder().encodeToString(value.toByteArray());
    }

    private static void putPayload(ObjectNode o, ByteString payload) {
        if (payload.isValidUtf8()) {
            o.put("payload", payload.toStringUtf8());
        } else {
            o.put("payload_base64", Base64.getEncoder().encodeToString(payload.toByteArray()));
        }
    }

    // ---- tool definitions

    private static final Object[] NAMESPACE_KV = {"namespace", str("The KV namespace, e.g. agent-state.")};
    private static final Object[] NAMESPACE_SEMANTIC = {"namespace", str("The semantic namespace, e.g. notes.")};
    private static final Object[] NAMESPACE_EPISODIC = {"namespace", str("The episodic namespace, e.g. events.")};
    private static final Object[] NAMESPACE_GRAPH = {"namespace", str("The graph namespace, e.g. world.")};

    private static ToolDef tool(String name, boolean readOnly, String description, Map<String, Object> properties,
                                List<String> required, BiFunction<Rpc, Args, String> run) {
        var schema = new java.util.LinkedHashMap<String, Object>();
        schema.put("type", "object");
        schema.put("properties", properties);
        schema.put("required", required);
        schema.put("additionalProperties", false);
        // kv_put and semantic_upsert may replace what a key or id held (destructive, idempotent);
        // episodic_append only adds (and adds again when repeated).
        boolean replaces = name.equals("kv_put") || name.equals("semantic_upsert");
        var annotations = new McpSchema.ToolAnnotations(null, readOnly, replaces, readOnly || name.equals("kv_put"), false, null);
        return new ToolDef(McpSchema.Tool.builder().name(name).description(description).inputSchema(schema)
                .annotations(annotations).build(), run);
    }

    private static Map<String, Object> props(Object[] namespace, Object... rest) {
        var out = new java.util.LinkedHashMap<String, Object>();
        out.put((String) namespace[0], namespace[1]);
        for (int i = 0; i < rest.length; i += 2) {
            out.put((String) rest[i], rest[i + 1]);
        }
        return out;
    }

    private static Map<String, Object> str(String description) {
        return Map.of("type", "string", "description", description);
    }

    private static Map<String, Object> integer(String description) {
        return Map.of("type", "integer", "minimum", 0, "description", description);
    }

    private static Map<String, Object> strings(String description) {
        return Map.of("type", "array", "items", Map.of("type", "string"), "description", description);
    }

    /** A tool's arguments, checked again here whatever the SDK's schema check let through. */
    private record Args(Map<String, Object> values) {
        Args {
            values = values == null ? Map.of() : values;
        }

        String required(String name) {
            String v = optional(name);
            if (v.isEmpty()) {
                throw new IllegalArgumentException(name + " is required");
            }
            return v;
        }

        String optional(String name) {
            Object v = values.get(name);
            if (v == null) {
                return "";
            }
            if (!(v instanceof String s)) {
                throw new IllegalArgumentException(name + " must be a string");
            }
            return s;
        }

        long number(String name, long dflt) {
            Object v = values.get(name);
            if (v == null) {
                return dflt;
            }
            if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
                return n.longValue();
            }
            throw new IllegalArgumentException(name + " must be an integer");
        }

        int count(String name, int dflt) {
            long n = number(name, dflt);
            if (n < 0 || n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + " must be between 0 and " + Integer.MAX_VALUE);
            }
            return (int) n;
        }

        List<String> strings(String name) {
            Object v = values.get(name);
            if (v == null) {
                return List.of();
            }
            if (v instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
                return list.stream().map(String.class::cast).toList();
            }
            throw new IllegalArgumentException(name + " must be an array of strings");
        }
    }
}
