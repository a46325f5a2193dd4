package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.PutRequest;
import java.util.ArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many concurrent calls multiplexed on one HTTP/2 connection, as an agent's gRPC channel does.
 * Guards against transport faults that only show under concurrency (Helidon 4.2 sent a zero
 * connection WINDOW_UPDATE here with its default flow-control strategy).
 */
class ConcurrencyTest {
    /** On both gRPC transports: grpc-netty (the default, shown on the shared port) and Helidon's. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"netty", "helidon"})
    void sixteenClientsOnOneChannelComplete20000CallsWithoutATransportError(String transport) throws Exception {
        try (var server = transport.equals("netty") ? new TestServer(KvEndToEndTest.NAMESPACES, "")
                : TestServer.withHttpListener(KvEndToEndTest.NAMESPACES, java.util.Map.of("MEMSIDECAR_SERVER__GRPC__TRANSPORT", "helidon"))) {
            var channel = server.tcpChannel();
            var stub = TestServer.kv(channel, server.fullToken());
            var value = ByteString.copyFrom(new byte[300]);
            try (var pool = Executors.newFixedThreadPool(16)) {
                var futures = new ArrayList<Future<Integer>>();
                for (int c = 0; c < 16; c++) {
                    int client = c;
                    futures.add(pool.submit(() -> {
                        int done = 0;
                        for (int i = 0; i < 1250; i++) {
                            String key = "c" + client + "-" + (i % 50);
                            stub.put(PutRequest.newBuilder().setNamespace("notes").setKey(key).setValue(value).build());
                            done += stub.get(GetRequest.newBuilder().setNamespace("notes").setKey(key).build()).getFound() ? 1 : 0;
                        }
                        return done;
                    }));
                }
                int found = 0;
                for (Future<Integer> f : futures) {
                    found += f.get();
                }
                assertThat(found).isEqualTo(16 * 1250);
            } finally {
                channel.shutdownNow();
            }
        }
    }
}
