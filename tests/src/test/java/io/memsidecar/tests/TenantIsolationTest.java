package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memsidecar.driver.postgres.TestDatabase;
import io.memsidecar.proto.episodic.v1.AppendRequest;
import io.memsidecar.proto.graph.v1.DeleteEdgeRequest;
import io.memsidecar.proto.graph.v1.Edge;
import io.memsidecar.proto.graph.v1.GetNodeRequest;
import io.memsidecar.proto.graph.v1.GraphGrpc;
import io.memsidecar.proto.graph.v1.NeighborsRequest;
import io.memsidecar.proto.graph.v1.Node;
import io.memsidecar.proto.graph.v1.UpsertEdgesRequest;
import io.memsidecar.proto.graph.v1.UpsertNodesRequest;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.PutRequest;
import io.memsidecar.proto.kv.v1.ScanRequest;
import io.memsidecar.proto.semantic.v1.DeleteRequest;
import io.memsidecar.proto.semantic.v1.Record;
import io.memsidecar.proto.semantic.v1.SearchRequest;
import io.memsidecar.proto.semantic.v1.SemanticGrpc;
import io.memsidecar.proto.semantic.v1.UpsertRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** With tenant_isolation, two tenants using the same namespace never see each other's data. */
class TenantIsolationTest {
    @ParameterizedTest
    @ValueSource(strings = {"mem", "pg"})
    void tenantsShareNamespacesButNotData(String backend) {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String yaml = """
                tenant_isolation: true
                backends:
                  - { name: mem, driver: memory }
                  - { name: pg, driver: postgres, options: { dsn: "%s" } }
                namespaces:
                  - { block: kv, name: notes-%s, backend: %s, max_items: 1 }
                  - { block: episodic, name: events-%s, backend: %s }
                  - { block: semantic, name: facts-%s, backend: %s, embedder: { provider: fake, dimensions: 8 } }
                  - { block: graph, name: kg-%s, backend: %s }
                """.formatted(TestDatabase.url(), suffix, backend, suffix, backend, suffix, backend, suffix, backend);
        try (var server = new TestServer(yaml, "")) {
            ManagedChannel ch = server.tcpChannel();
            try {
                String acmeToken = server.fullToken();
                String umbrellaToken = TestServer.tokenFor("umbrella", server.secretHex, List.of("*"), List.of("*"),
                        Duration.ofMinutes(5), Instant.now());
                var acme = TestServer.kv(ch, acmeToken);
                var umbrella = TestServer.kv(ch, umbrellaToken);
                String ns = "notes-" + suffix;
                acme.put(PutRequest.newBuilder().setNamespace(ns).setKey("k").setValue(ByteString.copyFromUtf8("acme")).build());
                assertThat(umbrella.get(GetRequest.newBuilder().setNamespace(ns).setKey("k").build()).getFound()).isFalse();
                // The quota (1 key) is per tenant.
                umbrella.put(PutRequest.newBuilder().setNamespace(ns).setKey("k").setValue(ByteString.copyFromUtf8("umb")).build());
                assertThatThrownBy(() -> umbrella.put(PutRequest.newBuilder().setNamespace(ns).setKey("k2")
                        .setValue(ByteString.copyFromUtf8("x")).build()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
                assertThat(acme.get(GetRequest.newBuilder().setNamespace(ns).setKey("k").build()).getValue().toStringUtf8())
                        .isEqualTo("acme");
                var keys = new ArrayList<String>();
                umbrella.scan(ScanRequest.newBuilder().setNamespace(ns).build()).forEachRemaining(i -> keys.add(i.getKey()));
                assertThat(keys).containsExactly("k");

                var acmeLog = EpisodicEndToEndTest.stub(ch, acmeToken);
                var umbrellaLog = EpisodicEndToEndTest.stub(ch, umbrellaToken);
                String events = "events-" + suffix;
                acmeLog.append(AppendRequest.newBuilder().setNamespace(events).setType("a").build());
                acmeLog.append(AppendRequest.newBuilder().setNamespace(events).setType("a").build());
                // Each tenant has its own log, with its own cursors.
                assertThat(umbrellaLog.append(AppendRequest.newBuilder().setNamespace(events).setType("u").build())
                        .getEvent().getCursor()).isEqualTo(1);

                // Semantic: one table on PostgreSQL, but each tenant searches, reads and deletes only its own rows.
                var acmeFacts = SemanticGrpc.newBlockingStub(CapabilityHeader.attach(ch, "Bearer " + acmeToken));
                var umbrellaFacts = SemanticGrpc.newBlockingStub(CapabilityHeader.attach(ch, "Bearer " + umbrellaToken));
                String facts = "facts-" + suffix;
                acmeFacts.upsert(UpsertRequest.newBuilder().setNamespace(facts)
                        .addRecords(Record.newBuilder().setId("f").setContent("acme secret plan")).build());
                assertThat(umbrellaFacts.search(SearchRequest.newBuilder().setNamespace(facts)
                        .setQueryText("acme secret plan").build()).getHitsList()).isEmpty();
                assertThat(umbrellaFacts.get(io.memsidecar.proto.semantic.v1.GetRequest.newBuilder().setNamespace(facts)
                        .setId("f").setIncludeInvalidated(true).build()).getFound()).isFalse();
                assertThat(umbrellaFacts.delete(DeleteRequest.newBuilder().setNamespace(facts).setId("f").setHard(true)
                        .build()).getExisted()).isFalse();
                assertThat(acmeFacts.search(SearchRequest.newBuilder().setNamespace(facts)
                        .setQueryText("acme secret plan").build()).getHitsList()).hasSize(1);

                // Graph: shared tables on PostgreSQL, keyed by the tenant-qualified namespace.
                var acmeGraph = GraphGrpc.newBlockingStub(CapabilityHeader.attach(ch, "Bearer " + acmeToken));
                var umbrellaGraph = GraphGrpc.newBlockingStub(CapabilityHeader.attach(ch, "Bearer " + umbrellaToken));
                String kg = "kg-" + suffix;
                acmeGraph.upsertNodes(UpsertNodesRequest.newBuilder().setNamespace(kg)
                        .addNodes(Node.newBuilder().setId("a")).addNodes(Node.newBuilder().setId("b")).build());
                acmeGraph.upsertEdges(UpsertEdgesRequest.newBuilder().setNamespace(kg)
                        .addEdges(Edge.newBuilder().setId("ab").setType("r").setFrom("a").setTo("b")).build());
                assertThatThrownBy(() -> umbrellaGraph.getNode(GetNodeRequest.newBuilder().setNamespace(kg).setId("a").build()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
                umbrellaGraph.upsertNodes(UpsertNodesRequest.newBuilder().setNamespace(kg).addNodes(Node.newBuilder().setId("a")).build());
                assertThat(umbrellaGraph.neighbors(NeighborsRequest.newBuilder().setNamespace(kg).setNodeId("a").build())
                        .getNodesList()).isEmpty();
                assertThat(umbrellaGraph.deleteEdge(DeleteEdgeRequest.newBuilder().setNamespace(kg).setId("ab").build())
                        .getExisted()).isFalse();
                assertThat(acmeGraph.neighbors(NeighborsRequest.newBuilder().setNamespace(kg).setNodeId("a").build())
                        .getNodesList()).hasSize(1);
            } finally {
                ch.shutdownNow();
            }
        }
    }
}
