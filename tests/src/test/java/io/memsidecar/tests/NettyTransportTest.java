package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.PutRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code server.grpc.transport: netty}: gRPC on TCP through grpc-java's Netty transport, behind the
 * same routing table and filters; the HTTP routes on {@code server.http.addr}; an oversized message
 * is RESOURCE_EXHAUSTED on TCP too.
 */
class NettyTransportTest {
    @Test
    void grpcOnNettyTcpWithTheSameFiltersAndHttpOnItsOwnListener() throws Exception {
        try (var server = TestServer.withNettyTcp(KvEndToEndTest.NAMESPACES, Map.of("MEMSIDECAR_LIMITS__MAX_MESSAGE_BYTES", "65536"))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            try {
                var kv = TestServer.kv(ch, server.fullToken());
                var put = PutRequest.newBuilder().setNamespace("notes").setKey("k").setValue(ByteString.copyFromUtf8("v"));
                assertThat(kv.put(put.build()).getVersion()).isEqualTo(1);
                assertThat(kv.get(GetRequest.newBuilder().setNamespace("notes").setKey("k").build()).getValue().toStringUtf8())
                        .isEqualTo("v");
                // the filters: no token, no call
                assertThatThrownBy(() -> TestServer.kv(ch, null).get(GetRequest.newBuilder().setNamespace("notes").setKey("k").build()))
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
            var get = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/v1/kv/notes/k"))
                    .header("x-memsidecar-capability", "Bearer " + server.fullToken()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body()).isEqualTo("v");
        }
    }
}
