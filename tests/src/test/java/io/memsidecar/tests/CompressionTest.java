package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.KVGrpc;
import io.memsidecar.proto.kv.v1.PutRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Message compression on both gRPC transports. Responses go uncompressed even to a client that
 * accepts gzip (grpc-java clients always say so), as grpc-java's own server does: Helidon
 * compressed every response to such a client by default, which cost its transport most of its
 * speed (docs/benchmarks.md). A gzip-compressed request is read by grpc-netty; Helidon's
 * transport, which runs without compression, refuses it with UNIMPLEMENTED at once (the gRPC
 * spec's answer) instead of hanging.
 */
class CompressionTest {
    private static final Metadata.Key<String> ENCODING = Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER);

    /** Records the grpc-encoding of every response's headers. */
    private static final class ResponseEncodings implements ClientInterceptor {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                        @Override
                        public void onHeaders(Metadata responseHeaders) {
                            seen.add(String.valueOf(responseHeaders.get(ENCODING)));
                            super.onHeaders(responseHeaders);
                        }
                    }, headers);
                }
            };
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"netty", "helidon"})
    void responsesAreNotCompressed(String transport) throws Exception {
        try (var server = TestServer.withHttpListener(KvEndToEndTest.NAMESPACES,
                Map.of("MEMSIDECAR_SERVER__GRPC__TRANSPORT", transport))) {
            ManagedChannel ch = server.tcpChannel();
            try {
                var encodings = new ResponseEncodings();
                var kv = KVGrpc.newBlockingStub(CapabilityHeader.attach(ClientInterceptors.intercept(ch, encodings),
                        "Bearer " + server.fullToken())).withDeadlineAfter(10, TimeUnit.SECONDS);
                byte[] value = new byte[64 * 1024]; // compressible: a compressor would have work to do
                var put = PutRequest.newBuilder().setNamespace("notes").setKey("k").setValue(ByteString.copyFrom(value)).build();
                kv.put(put);
                var got = kv.get(GetRequest.newBuilder().setNamespace("notes").setKey("k").build());
                assertThat(got.getValue().toByteArray()).isEqualTo(value);
                assertThat(encodings.seen).hasSize(2).allSatisfy(e -> assertThat(e).isIn("null", "identity"));
                var compressed = kv.withCompression("gzip");
                if (transport.equals("netty")) {
                    assertThat(compressed.put(put).getVersion()).isEqualTo(2);
                } else {
                    assertThatThrownBy(() -> compressed.put(put)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
                        assertThat(e.getStatus().getDescription()).contains("grpc-encoding gzip");
                    });
                    assertThat(kv.get(GetRequest.newBuilder().setNamespace("notes").setKey("k").build()).getVersion())
                            .as("nothing written").isEqualTo(1);
                }
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
