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
    /** {@code http}: HTTP on its own port, so TCP gRPC runs on grpc-netty (transport auto), else on Helidon. */
    @ParameterizedTest(name = "HTTP on its own port: {0}")
    @ValueSource(booleans = {false, true})
    void sixteenClientsOnOneChannelComplete20000CallsWithoutATransportError(boolean http) throws Exception {
        try (var server = http ? TestServer.withHttpListener(KvEndToEndTest.NAMESPACES) : new TestServer(KvEndToEndTest.NAMESPACES, "")) {
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
