package io.memsidecar.tests;

import static io.memsidecar.tests.GrpcStatus.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.memsidecar.driver.postgres.TestDatabase;
import io.memsidecar.proto.admin.v1.AdminGrpc;
import io.memsidecar.proto.admin.v1.ListNamespacesRequest;
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
import io.memsidecar.proto.semantic.v1.Record;
import io.memsidecar.proto.semantic.v1.SearchRequest;
import io.memsidecar.proto.semantic.v1.SemanticGrpc;
import io.memsidecar.proto.semantic.v1.UpsertRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The graph block through the real server: gRPC, the gateway and the curl routes, on memory and PostgreSQL. */
class GraphEndToEndTest {
    private static final String POLICY = """
            policy:
              default: allow
              rules:
                - name: shallow
                  effect: cap
                  match: { block: ["graph"], namespace: ["capped"] }
                  max: { depth: 3, limit: 20 }
            """;

    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final HttpClient http = HttpClient.newHttpClient();
    private TestServer server;
    private ManagedChannel channel;
    private GraphGrpc.GraphBlockingStub graph;

    @BeforeEach
    void start() {
        server = new TestServer("""
                backends:
                  - { name: mem, driver: memory }
                  - { name: pg, driver: postgres, options: { dsn: "%s" } }
                namespaces:
                  - { block: graph, name: kg, backend: mem }
                  - { block: graph, name: pgkg-%s, backend: pg }
                  - { block: graph, name: capped, backend: mem }
                  - { block: semantic, name: facts, backend: mem, embedder: { provider: fake, dimensions: 16 } }
                """.formatted(TestDatabase.url(), suffix), POLICY);
        channel = server.tcpChannel();
        graph = GraphGrpc.newBlockingStub(CapabilityHeader.attach(channel, server.fullToken()))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.shutdownNow();
            server.close();
        }
        http.close();
    }

    private String ns(String driver) {
        return driver.equals("memory") ? "kg" : "pgkg-" + suffix;
    }

    private static Node node(String id, String... labels) {
        return Node.newBuilder().setId(id).addAllLabels(List.of(labels)).build();
    }

    private static Edge edge(String id, String type, String from, String to) {
        return Edge.newBuilder().setId(id).setType(type).setFrom(from).setTo(to).build();
    }

    /** A chain n0 -> n1 -> … -> n9 plus paris -CAPITAL_OF-> france. */
    private void seed(String ns) {
        var nodes = UpsertNodesRequest.newBuilder().setNamespace(ns)
                .addNodes(node("paris", "City")).addNodes(node("france", "Country"));
        var edges = UpsertEdgesRequest.newBuilder().setNamespace(ns)
                .addEdges(edge("cap", "CAPITAL_OF", "paris", "france"));
        for (int i = 0; i < 10; i++) {
            nodes.addNodes(node("n" + i));
            if (i > 0) {
                edges.addEdges(edge("e" + i, "NEXT", "n" + (i - 1), "n" + i));
            }
        }
        assertThat(graph.upsertNodes(nodes.build()).getIdsList()).hasSize(12).startsWith("paris", "france");
        assertThat(graph.upsertEdges(edges.build()).getIdsList()).hasSize(10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void everyRpcOverGrpc(String driver) {
        String ns = ns(driver);
        seed(ns);
        assertThat(graph.getNode(GetNodeRequest.newBuilder().setNamespace(ns).setId("paris").build()).getLabelsList())
                .containsExactly("City");
        var capital = graph.neighbors(NeighborsRequest.newBuilder().setNamespace(ns).setNodeId("paris")
                .addEdgeTypes("CAPITAL_OF").build());
        assertThat(capital.getNodesList()).extracting(Node::getId).containsExactly("france");
        assertThat(capital.getEdgesList()).extracting(Edge::getId).containsExactly("cap");
        assertThat(graph.neighbors(NeighborsRequest.newBuilder().setNamespace(ns).setNodeId("paris")
                .setDirection(Direction.DIRECTION_IN).build()).getNodesList()).isEmpty();

        Function<Integer, List<String>> chain = depth -> graph.traverse(TraverseRequest.newBuilder().setNamespace(ns)
                .setStartId("n0").setDirection(Direction.DIRECTION_OUT).setDepth(depth).build())
                .getNodesList().stream().map(Node::getId).toList();
        assertThat(chain.apply(0)).containsExactly("n0", "n1");                 // 0 -> default depth 1
        assertThat(chain.apply(3)).containsExactly("n0", "n1", "n2", "n3");
        assertThat(chain.apply(100)).hasSize(6);                                // clamped to depth 5
        assertThat(chain.apply(-1)).hasSize(6);                                 // uint32 max, clamped
        var few = graph.traverse(TraverseRequest.newBuilder().setNamespace(ns).setStartId("n0").setDepth(5)
                .setMaxNodes(3).build());
        assertThat(few.getNodesList()).extracting(Node::getId).containsExactly("n0", "n1", "n2");
        assertThat(few.getEdgesList()).extracting(Edge::getId).containsExactly("e1", "e2");

        assertStatus(() -> graph.getNode(GetNodeRequest.newBuilder().setNamespace(ns).setId("ghost").build()),
                Status.Code.NOT_FOUND);
        assertStatus(() -> graph.neighbors(NeighborsRequest.newBuilder().setNamespace(ns).setNodeId("ghost").build()),
                Status.Code.NOT_FOUND);
        assertStatus(() -> graph.traverse(TraverseRequest.newBuilder().setNamespace(ns).setStartId("ghost").build()),
                Status.Code.NOT_FOUND);
        assertStatus(() -> graph.deleteNode(DeleteNodeRequest.newBuilder().setNamespace(ns).setId("n5").build()),
                Status.Code.FAILED_PRECONDITION);
        assertThat(graph.deleteNode(DeleteNodeRequest.newBuilder().setNamespace(ns).setId("n5").setCascade(true).build())
                .getExisted()).isTrue();
        assertThat(chain.apply(5)).containsExactly("n0", "n1", "n2", "n3", "n4");
        assertThat(graph.deleteEdge(io.memsidecar.proto.graph.v1.DeleteEdgeRequest.newBuilder().setNamespace(ns)
                .setId("e7").build()).getExisted()).isTrue();
        assertThat(graph.deleteEdge(io.memsidecar.proto.graph.v1.DeleteEdgeRequest.newBuilder().setNamespace(ns)
                .setId("e6").build()).getExisted()).isFalse(); // went with n5

        // bad input: nothing stored
        assertStatus(() -> graph.upsertEdges(UpsertEdgesRequest.newBuilder().setNamespace(ns)
                .addEdges(edge("ok", "R", "paris", "n0")).addEdges(edge("bad", "", "paris", "n0")).build()),
                Status.Code.INVALID_ARGUMENT);
        assertStatus(() -> graph.upsertNodes(UpsertNodesRequest.newBuilder().setNamespace(ns).addNodes(node("")).build()),
                Status.Code.INVALID_ARGUMENT);
        var backwards = edge("w", "R", "paris", "n0").toBuilder()
                .setValidFrom(com.google.protobuf.Timestamp.newBuilder().setSeconds(200))
                .setValidTo(com.google.protobuf.Timestamp.newBuilder().setSeconds(100)).build();
        assertStatus(() -> graph.upsertEdges(UpsertEdgesRequest.newBuilder().setNamespace(ns).addEdges(backwards).build()),
                Status.Code.INVALID_ARGUMENT);
        assertThat(graph.neighbors(NeighborsRequest.newBuilder().setNamespace(ns).setNodeId("n0").build()).getEdgesList())
                .extracting(Edge::getId).containsExactly("e1");
        assertStatus(() -> graph.getNode(GetNodeRequest.newBuilder().setNamespace("nope").setId("x").build()),
                Status.Code.NOT_FOUND);
    }

    @Test
    void policyCapsSeeDepthAndLimitAndScopesApply() {
        seed("capped");
        assertThat(graph.traverse(TraverseRequest.newBuilder().setNamespace("capped").setStartId("n0").setDepth(3).build())
                .getNodesCount()).isEqualTo(4);
        assertStatus(() -> graph.traverse(TraverseRequest.newBuilder().setNamespace("capped").setStartId("n0")
                .setDepth(4).build()), Status.Code.RESOURCE_EXHAUSTED);
        assertStatus(() -> graph.neighbors(NeighborsRequest.newBuilder().setNamespace("capped").setNodeId("n0").build()),
                Status.Code.RESOURCE_EXHAUSTED); // limit 0 means the default 50, over the cap of 20
        assertThat(graph.neighbors(NeighborsRequest.newBuilder().setNamespace("capped").setNodeId("n0").setLimit(20)
                .build()).getNodesCount()).isEqualTo(1);

        var readOnly = GraphGrpc.newBlockingStub(CapabilityHeader.attach(channel,
                server.token(List.of("graph/capped"), List.of("graph.get", "graph.query"))));
        assertThat(readOnly.getNode(GetNodeRequest.newBuilder().setNamespace("capped").setId("n0").build()).getId())
                .isEqualTo("n0");
        assertStatus(() -> readOnly.upsertNodes(UpsertNodesRequest.newBuilder().setNamespace("capped")
                .addNodes(node("x")).build()), Status.Code.PERMISSION_DENIED);
        assertStatus(() -> readOnly.getNode(GetNodeRequest.newBuilder().setNamespace("kg").setId("n0").build()),
                Status.Code.PERMISSION_DENIED);

        var admin = AdminGrpc.newBlockingStub(CapabilityHeader.attach(channel, server.fullToken()))
                .listNamespaces(ListNamespacesRequest.getDefaultInstance());
        var capped = admin.getNamespacesList().stream().filter(n -> n.getName().equals("capped")).findFirst().orElseThrow();
        assertThat(capped.getBlock()).isEqualTo("graph");
        assertThat(capped.getHasCount()).isTrue();
        assertThat(capped.getItemCount()).isEqualTo(12);
    }

    /** The pattern the block exists for: seed with a semantic ids_only search, expand through the graph. */
    @Test
    void semanticSeedThenGraphExpand() {
        var semantic = SemanticGrpc.newBlockingStub(CapabilityHeader.attach(channel, server.fullToken()));
        semantic.upsert(UpsertRequest.newBuilder().setNamespace("facts")
                .addRecords(Record.newBuilder().setId("paris").setContent("Paris is the capital of France")).build());
        seed("kg");
        String seedId = semantic.search(SearchRequest.newBuilder().setNamespace("facts")
                .setQueryText("Paris is the capital of France").setTopK(1).setIdsOnly(true).build()).getHits(0).getRecord().getId();
        assertThat(graph.neighbors(NeighborsRequest.newBuilder().setNamespace("kg").setNodeId(seedId).build())
                .getNodesList()).extracting(Node::getId).containsExactly("france");
    }

    private HttpResponse<String> curl(String method, String path, String body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("x-memsidecar-capability", "Bearer " + server.fullToken())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void curlRoutesAndGateway(String driver) throws Exception {
        String base = "/v1/graph/" + ns(driver);
        assertThat(curl("PUT", base + "/nodes/paris", "{\"labels\":[\"City\"],\"props\":{\"pop\":\"2.1M\"}}")
                .statusCode()).isEqualTo(200);
        assertThat(curl("PUT", base + "/nodes/france", null).statusCode()).isEqualTo(200);
        var put = curl("PUT", base + "/edges/cap",
                "{\"type\":\"CAPITAL_OF\",\"from\":\"paris\",\"to\":\"france\",\"validFrom\":\"2020-01-01T00:00:00Z\"}");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(Json.parse(put.body()).get("ids").get(0).asText()).isEqualTo("cap");

        JsonNode paris = Json.parse(curl("GET", base + "/nodes/paris", null).body());
        assertThat(paris.get("labels").get(0).asText()).isEqualTo("City");
        assertThat(paris.get("props").get("pop").asText()).isEqualTo("2.1M");
        JsonNode out = Json.parse(curl("GET", base + "/nodes/paris/neighbors?type=CAPITAL_OF&dir=out", null).body());
        assertThat(out.get("nodes").get(0).get("id").asText()).isEqualTo("france");
        assertThat(out.get("edges").get(0).get("validFrom").asText()).isEqualTo("2020-01-01T00:00:00Z");
        assertThat(Json.parse(curl("GET", base + "/nodes/paris/neighbors?as_of=2019-12-31T23:59:59Z", null).body())
                .get("nodes")).isEmpty();
        assertThat(Json.parse(curl("GET", base + "/nodes/france/traverse?depth=2&dir=in", null).body())
                .get("nodes").size()).isEqualTo(2);

        assertThat(curl("GET", base + "/nodes/ghost", null).statusCode()).isEqualTo(404);
        assertThat(curl("GET", base + "/nodes/paris/neighbors?dir=sideways", null).statusCode()).isEqualTo(400);
        assertThat(curl("GET", base + "/nodes/paris/traverse?depth=-1", null).statusCode()).isEqualTo(400);
        assertThat(curl("GET", base + "/nodes/paris/neighbors?as_of=yesterday", null).statusCode()).isEqualTo(400);
        assertThat(curl("PUT", base + "/edges/bad", "{\"type\":\"R\"}").statusCode()).isEqualTo(400);
        var refused = curl("DELETE", base + "/nodes/paris", null);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(Json.parse(refused.body()).get("code").asInt()).isEqualTo(9);

        var gateway = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/memsidecar.graph.v1.Graph/Traverse"))
                .header("x-memsidecar-capability", "Bearer " + server.fullToken())
                .POST(HttpRequest.BodyPublishers.ofString("{\"namespace\":\"" + ns(driver) + "\",\"startId\":\"paris\"}"))
                .build();
        JsonNode sub = Json.parse(http.send(gateway, HttpResponse.BodyHandlers.ofString()).body());
        assertThat(sub.get("edges").get(0).get("type").asText()).isEqualTo("CAPITAL_OF");

        assertThat(curl("DELETE", base + "/edges/cap", null).statusCode()).isEqualTo(204);
        assertThat(curl("DELETE", base + "/edges/cap", null).statusCode()).isEqualTo(404);
        assertThat(curl("DELETE", base + "/nodes/paris?cascade=true", null).statusCode()).isEqualTo(204);
        assertThat(curl("DELETE", base + "/nodes/paris", null).statusCode()).isEqualTo(404);
    }
}
