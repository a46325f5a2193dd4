package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1alpha.ServerReflectionGrpc;
import io.grpc.reflection.v1alpha.ServerReflectionRequest;
import io.grpc.reflection.v1alpha.ServerReflectionResponse;
import io.grpc.reflection.v1alpha.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every listener serves besides the blocks: health, reflection behind auth, the extra HTTP port. */
class ListenersTest {
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.withHttpListener(KvEndToEndTest.NAMESPACES);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static List<String> listServices(ManagedChannel channel, String token) throws Exception {
        var stub = ServerReflectionGrpc.newStub(CapabilityHeader.attach(channel, token == null ? null : "Bearer " + token));
        var result = new CompletableFuture<List<String>>();
        var requests = stub.serverReflectionInfo(new StreamObserver<>() {
            @Override
            public void onNext(ServerReflectionResponse r) {
                result.complete(r.getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName).toList());
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
        try {
            return result.get(20, TimeUnit.SECONDS);
        } finally {
            requests.onCompleted();
        }
    }

    @Test
    void reflectionListsTheContractOnTcpAndUdsButOnlyWithAToken() throws Exception {
        for (ManagedChannel ch : List.of(server.tcpChannel(), server.udsChannel())) {
            try {
                assertThat(listServices(ch, server.fullToken()))
                        .contains("memsidecar.kv.v1.KV", "memsidecar.lease.v1.Lease", "memsidecar.admin.v1.Admin",
                                "grpc.health.v1.Health");
                assertThatThrownBy(() -> listServices(ch, null)).hasRootCauseInstanceOf(StatusRuntimeException.class)
                        .rootCause().hasMessageContaining("UNAUTHENTICATED");
                assertThatThrownBy(() -> listServices(ch, "v4.public.bogus")).rootCause()
                        .hasMessageContaining("UNAUTHENTICATED");
            } finally {
                ch.shutdownNow();
            }
        }
    }

    @Test
    void graphCallsPassTheAuthFilterOnBothTransports() {
        for (ManagedChannel ch : List.of(server.tcpChannel(), server.udsChannel())) {
            try {
                var stub = io.memsidecar.proto.graph.v1.GraphGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
                assertThatThrownBy(() -> stub.getNode(io.memsidecar.proto.graph.v1.GetNodeRequest.newBuilder()
                        .setNamespace("g").setId("n").build()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                                assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAUTHENTICATED));
            } finally {
                ch.shutdownNow();
            }
        }
    }

    @Test
    void grpcHealthSaysServing() {
        ManagedChannel ch = server.tcpChannel();
        try {
            var status = HealthGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService("memsidecar.kv.v1.KV").build()).getStatus();
            assertThat(status).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void extraHttpListenerServesTheGatewayWithTheSameAuth() throws Exception {
        int port = server.server.httpPort().orElseThrow();
        assertThat(port).isNotEqualTo(server.port());
        try (var http = HttpClient.newHttpClient()) {
            var put = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/memsidecar.kv.v1.KV/Put"))
                    .header("x-memsidecar-capability", server.fullToken())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"namespace\":\"notes\",\"key\":\"k\",\"value\":\"aGk=\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).isEqualTo(200);
            var denied = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/kv/notes/k")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(denied.statusCode()).isEqualTo(401);
        }
    }
}
