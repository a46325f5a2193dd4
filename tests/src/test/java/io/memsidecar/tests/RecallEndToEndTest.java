package io.memsidecar.tests;

import static io.memsidecar.tests.GrpcStatus.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.memsidecar.driver.postgres.TestDatabase;
import io.memsidecar.proto.graph.v1.Edge;
import io.memsidecar.proto.graph.v1.GraphGrpc;
import io.memsidecar.proto.graph.v1.Node;
import io.memsidecar.proto.graph.v1.UpsertEdgesRequest;
import io.memsidecar.proto.graph.v1.UpsertNodesRequest;
import io.memsidecar.proto.recall.v1.Lane;
import io.memsidecar.proto.recall.v1.RecallGrpc;
import io.memsidecar.proto.recall.v1.RecallRequest;
import io.memsidecar.proto.recall.v1.RecallResponse;
import io.memsidecar.proto.semantic.v1.Record;
import io.memsidecar.proto.semantic.v1.SemanticGrpc;
import io.memsidecar.proto.semantic.v1.UpsertRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Recall through the real server: gRPC, the gateway and the curl route, its scopes and a policy
 * cap, on memory and PostgreSQL (the rankings themselves are RecallConformance's, per driver).
 */
class RecallEndToEndTest {
    private static final String POLICY = """
            policy:
              default: allow
              rules:
                - name: small-recalls
                  effect: cap
                  match: { block: ["recall"] }
                  max: { top_k: 20, depth: 2, max_nodes: 500, rerank_candidate_k: 100 }
            """;

    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final HttpClient http = HttpClient.newHttpClient();
    private TestServer server;
    private ManagedChannel channel;

    @BeforeEach
    void start() {
        server = new TestServer("""
                backends:
                  - { name: mem, driver: memory }
                  - { name: pg, driver: postgres, options: { dsn: "%s" } }
                namespaces:
                  - { block: semantic, name: notes, backend: mem, embedder: { provider: fake, dimensions: 4 } }
                  - { block: graph, name: people, backend: mem }
                  - { block: semantic, name: pgnotes-%s, backend: pg, embedder: { provider: fake, dimensions: 4 } }
                  - { block: graph, name: pgpeople-%s, backend: pg }
                """.formatted(TestDatabase.url(), suffix, suffix), POLICY);
        channel = server.tcpChannel();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.close();
        http.close();
    }

    private String notes(String driver) {
        return driver.equals("memory") ? "notes" : "pgnotes-" + suffix;
    }

    private String people(String driver) {
        return driver.equals("memory") ? "people" : "pgpeople-" + suffix;
    }

    private RecallGrpc.RecallBlockingStub recall(String token) {
        return RecallGrpc.newBlockingStub(CapabilityHeader.attach(channel, token)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static Record record(String id, float... v) {
        var b = Record.newBuilder().setId(id).setContent("note about " + id);
        for (float f : v) {
            b.addVector(f);
        }
        return b.build();
    }

    /** alice -knows-> bob -works_at-> acme; the distractor is closest to the query vector (1, 0, 0, 0). */
    private void seed(String driver) {
        var semantic = SemanticGrpc.newBlockingStub(CapabilityHeader.attach(channel, server.fullToken()));
        semantic.upsert(UpsertRequest.newBuilder().setNamespace(notes(driver))
                .addRecords(record("distractor", 1, 0.3f, 0, 0)).addRecords(record("bob", 0.2f, 0, 1, 0))
                .addRecords(record("acme", 0.1f, 0, 0, 1)).build());
        var graph = GraphGrpc.newBlockingStub(CapabilityHeader.attach(channel, server.fullToken()));
        graph.upsertNodes(UpsertNodesRequest.newBuilder().setNamespace(people(driver))
                .addNodes(Node.newBuilder().setId("alice")).addNodes(Node.newBuilder().setId("bob"))
                .addNodes(Node.newBuilder().setId("acme")).build());
        graph.upsertEdges(UpsertEdgesRequest.newBuilder().setNamespace(people(driver))
                .addEdges(Edge.newBuilder().setId("e1").setType("knows").setFrom("alice").setTo("bob"))
                .addEdges(Edge.newBuilder().setId("e2").setType("works_at").setFrom("bob").setTo("acme")).build());
    }

    private RecallRequest.Builder request(String driver) {
        return RecallRequest.newBuilder().setSemanticNamespace(notes(driver)).setGraphNamespace(people(driver))
                .addAllQueryVector(List.of(1f, 0f, 0f, 0f)).addFocalNodeIds("alice").setExpandDepth(2);
    }

    private static List<String> ids(RecallResponse r) {
        return r.getHitsList().stream().map(h -> h.getRecord().getId()).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void overGrpcWithScopesAndThePolicyCap(String driver) {
        seed(driver);
        // Dense: distractor, bob, acme; graph from alice: bob (1 hop), acme (2 hops).
        var r = recall(server.fullToken()).recall(request(driver).setExplain(true).setIncludeSubgraph(true).build());
        assertThat(ids(r)).containsExactly("bob", "acme", "distractor");
        var acme = r.getHits(1).getEvidence();
        assertThat(acme.getPathNodeIdsList()).containsExactly("alice", "bob", "acme");
        assertThat(acme.getLanesList()).extracting(l -> l.getLane()).containsExactly(Lane.LANE_DENSE, Lane.LANE_GRAPH);
        assertThat(r.getSubgraph().getNodesList()).extracting(Node::getId).containsExactlyInAnyOrder("alice", "bob", "acme");

        String both = server.token(List.of("semantic/" + notes(driver), "graph/" + people(driver)),
                List.of("recall.query", "semantic.search", "graph.query"));
        assertThat(ids(recall(both).recall(request(driver).build()))).containsExactly("bob", "acme", "distractor");
        String noGraph = server.token(List.of("semantic/" + notes(driver), "graph/" + people(driver)),
                List.of("recall.query", "semantic.search"));
        assertStatus(() -> recall(noGraph).recall(request(driver).build()), Status.Code.PERMISSION_DENIED);
        String noRecall = server.token(List.of("semantic/*", "graph/*"), List.of("semantic.search", "graph.query"));
        assertStatus(() -> recall(noRecall).recall(request(driver).build()), Status.Code.PERMISSION_DENIED);
        String otherNotes = server.token(List.of("semantic/else", "graph/*"), List.of("*"));
        assertStatus(() -> recall(otherNotes).recall(request(driver).build()), Status.Code.PERMISSION_DENIED);

        assertStatus(() -> recall(server.fullToken()).recall(request(driver).setTopK(21).build()),
                Status.Code.RESOURCE_EXHAUSTED);
        assertStatus(() -> recall(server.fullToken()).recall(request(driver).setExpandDepth(3).build()),
                Status.Code.RESOURCE_EXHAUSTED);
        assertStatus(() -> recall(server.fullToken()).recall(request(driver).setMaxNodes(501).build()),
                Status.Code.RESOURCE_EXHAUSTED);
        assertStatus(() -> recall(server.fullToken()).recall(request(driver).setCandidateK(101).build()),
                Status.Code.RESOURCE_EXHAUSTED);
        assertThat(recall(server.fullToken()).recall(request(driver).setMaxNodes(500).setCandidateK(100).build())
                .getHitsCount()).isEqualTo(3);
        assertStatus(() -> recall(server.fullToken()).recall(request(driver).setSemanticNamespace("missing").build()),
                Status.Code.NOT_FOUND);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.header("x-memsidecar-capability", "Bearer " + server.fullToken()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void theGatewayAndTheCurlRoute(String driver) throws Exception {
        seed(driver);
        String base = "http://127.0.0.1:" + server.port();
        var gateway = send(HttpRequest.newBuilder(URI.create(base + "/memsidecar.recall.v1.Recall/Recall"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                        {"semanticNamespace":"%s","graphNamespace":"%s","queryVector":[1,0,0,0],
                         "focalNodeIds":["alice"],"expandDepth":2,"explain":true}""".formatted(notes(driver), people(driver)))));
        assertThat(gateway.statusCode()).as(gateway.body()).isEqualTo(200);
        JsonNode hits = Json.parse(gateway.body()).get("hits");
        assertThat(hits.get(1).get("record").get("id").asText()).isEqualTo("acme");
        assertThat(hits.get(1).get("evidence").get("pathNodeIds").toString()).isEqualTo("[\"alice\",\"bob\",\"acme\"]");

        var curl = send(HttpRequest.newBuilder(URI.create(base + "/v1/recall/" + notes(driver) + "?q=who+employs+alice"
                + "&graph=" + people(driver) + "&focal=alice&depth=2&type=knows,works_at&dir=out&explain=true&subgraph=true"
                + "&weight=recency:0.5")).GET());
        assertThat(curl.statusCode()).as(curl.body()).isEqualTo(200);
        JsonNode body = Json.parse(curl.body());
        assertThat(body.get("hits").findValuesAsText("id")).contains("bob", "acme");
        assertThat(body.get("subgraph").get("edges").findValuesAsText("id")).containsExactlyInAnyOrder("e1", "e2");

        var bad = send(HttpRequest.newBuilder(URI.create(base + "/v1/recall/" + notes(driver) + "?q=x&mmr=2&graph="
                + people(driver))).GET());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("mmr_lambda must be between 0 and 1");
        var badWeight = send(HttpRequest.newBuilder(URI.create(base + "/v1/recall/" + notes(driver) + "?q=x&weight=fame:1")).GET());
        assertThat(badWeight.statusCode()).isEqualTo(400);
    }

    @Test
    void aFocalNodeThatDoesNotExistWalksNothing() {
        seed("memory");
        var r = recall(server.fullToken()).recall(request("memory").clearFocalNodeIds().addFocalNodeIds("nobody").build());
        assertThat(ids(r)).containsExactly("distractor", "bob", "acme");
    }
}
