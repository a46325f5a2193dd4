package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.PutRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * gRPC on TCP through grpc-java's Netty transport (what {@code auto} picks) with HTTP on its own
 * port: the same routing table and filters; the HTTP routes only on {@code server.http.addr} (no
 * relay on the gRPC port then: see SharedPortTest); an oversized message is RESOURCE_EXHAUSTED on TCP too;
 * {@code limits.max_connections} holds new connections until one closes. {@code helidon} still
 * serves gRPC and HTTP on one port when asked for.
 */
class NettyTransportTest {
    private static final GetRequest GET_K = GetRequest.newBuilder().setNamespace("notes").setKey("k").build();

    @Test
    void grpcOnNettyTcpWithTheSameFiltersAndHttpOnItsOwnListener() throws Exception {
        try (var server = TestServer.withHttpListener(KvEndToEndTest.NAMESPACES, Map.of("MEMSIDECAR_LIMITS__MAX_MESSAGE_BYTES", "65536"))) {
            ManagedChannel ch = server.tcpChannel();
            try {
                var kv = TestServer.kv(ch, server.fullToken());
                var put = PutRequest.newBuilder().setNamespace("notes").setKey("k").setValue(ByteString.copyFromUtf8("v"));
                assertThat(kv.put(put.build()).getVersion()).isEqualTo(1);
                assertThat(kv.get(GET_K).getValue().toStringUtf8()).isEqualTo("v");
                // the filters: no token, no call
                assertThatThrownBy(() -> TestServer.kv(ch, null).get(GET_K))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
                // over the message limit: refused with RESOURCE_EXHAUSTED, nothing stored, the connection still serves
                var big = put.setKey("big").setValue(ByteString.copyFrom(new byte[200_000]));
                assertThatThrownBy(() -> kv.put(big.build())).isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
                assertThat(kv.get(GetRequest.newBuilder().setNamespace("notes").setKey("big").build()).getFound()).isFalse();
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            int http = server.server.httpPort().orElseThrow();
            assertThat(http).isNotEqualTo(server.port());
            assertThat(curlGet(http, server).body()).isEqualTo("v");
            // auto chose grpc-netty: the gRPC port speaks HTTP/2 gRPC only
            assertThatThrownBy(() -> curlGet(server.port(), server)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void helidonServesGrpcAndHttpOnOnePortWhenAskedFor() throws Exception {
        try (var server = TestServer.withHttpListener(KvEndToEndTest.NAMESPACES, Map.of("MEMSIDECAR_SERVER__GRPC__TRANSPORT", "helidon"))) {
            ManagedChannel ch = server.tcpChannel();
            try {
                TestServer.kv(ch, server.fullToken()).put(PutRequest.newBuilder().setNamespace("notes").setKey("k")
                        .setValue(ByteString.copyFromUtf8("v")).build());
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            assertThat(curlGet(server.port(), server).body()).isEqualTo("v");
            assertThat(curlGet(server.server.httpPort().orElseThrow(), server).body()).isEqualTo("v");
        }
    }

    @Test
    void atMaxConnectionsANewConnectionWaitsUntilAnotherCloses() throws Exception {
        try (var server = TestServer.withHttpListener(KvEndToEndTest.NAMESPACES, Map.of("MEMSIDECAR_LIMITS__MAX_CONNECTIONS", "2"))) {
            var open = new ArrayList<ManagedChannel>();
            try {
                for (int i = 0; i < 2; i++) {
                    open.add(server.tcpChannel());
                    assertThat(TestServer.kv(open.get(i), server.fullToken()).get(GET_K).getFound()).isFalse();
                }
                ManagedChannel third = server.tcpChannel();
                open.add(third);
                assertThatThrownBy(() -> TestServer.kv(third, server.fullToken()).withDeadlineAfter(2, TimeUnit.SECONDS).get(GET_K))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
                open.removeFirst().shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                assertThat(TestServer.kv(third, server.fullToken()).withWaitForReady().withDeadlineAfter(20, TimeUnit.SECONDS)
                        .get(GET_K).getFound()).isFalse();
            } finally {
                for (ManagedChannel ch : open) {
                    ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static HttpResponse<String> curlGet(int port, TestServer server) throws IOException, InterruptedException {
        try (var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            var res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/kv/notes/k"))
                    .timeout(java.time.Duration.ofSeconds(10))
                    .header("x-memsidecar-capability", "Bearer " + server.fullToken()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);
            return res;
        }
    }
}
