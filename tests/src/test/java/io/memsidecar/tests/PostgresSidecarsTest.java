package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.memsidecar.driver.postgres.TestDatabase;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.PutRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two sidecars on one PostgreSQL, as users scale out: writers on both never lose an update, and
 * exactly one compare-and-set wins each round. Runs under CI=true always (no skip).
 */
class PostgresSidecarsTest {
    private TestServer a;
    private TestServer b;
    private String ns;

    @BeforeEach
    void start() {
        ns = "shared-" + UUID.randomUUID().toString().substring(0, 8);
        String yaml = """
                backends:
                  - name: pg
                    driver: postgres
                    options: { dsn: "%s", max_conns: 8 }
                namespaces:
                  - { block: kv, name: %s, backend: pg }
                """.formatted(TestDatabase.url(), ns);
        a = new TestServer(yaml, "");
        b = TestServer.sharingKeyWith(a, yaml, "");
    }

    @AfterEach
    void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    @Test
    void writersOnTwoSidecarsLoseNoUpdate() throws Exception {
        int perSidecar = 10;
        int puts = 50;
        var chA = a.tcpChannel();
        var chB = b.tcpChannel();
        var stubA = TestServer.kv(chA, a.fullToken());
        var stubB = TestServer.kv(chB, a.fullToken());
        var start = new CountDownLatch(1);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new ArrayList<Future<?>>();
            for (int w = 0; w < 2 * perSidecar; w++) {
                var stub = w % 2 == 0 ? stubA : stubB;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < puts; i++) {
                        stub.put(PutRequest.newBuilder().setNamespace(ns).setKey("counter")
                                .setValue(ByteString.copyFromUtf8("x")).build());
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        }
        var got = stubB.get(GetRequest.newBuilder().setNamespace(ns).setKey("counter").build());
        assertThat(got.getVersion()).isEqualTo(2L * perSidecar * puts);
        chA.shutdownNow();
        chB.shutdownNow();
    }

    @Test
    void exactlyOneCasWinsPerRoundAcrossSidecars() throws Exception {
        var chA = a.tcpChannel();
        var chB = b.tcpChannel();
        var stubs = List.of(TestServer.kv(chA, a.fullToken()), TestServer.kv(chB, a.fullToken()));
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int round = 0; round < 10; round++) {
                long expected = round;
                var wins = new AtomicInteger();
                var start = new CountDownLatch(1);
                var futures = new ArrayList<Future<?>>();
                for (int i = 0; i < 8; i++) {
                    var stub = stubs.get(i % 2);
                    futures.add(pool.submit(() -> {
                        start.await();
                        try {
                            stub.put(PutRequest.newBuilder().setNamespace(ns).setKey("cas")
                                    .setValue(ByteString.copyFromUtf8("v")).setIfVersion(expected).build());
                            wins.incrementAndGet();
                        } catch (StatusRuntimeException e) {
                            assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.FAILED_PRECONDITION);
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : futures) {
                    f.get();
                }
                assertThat(wins).as("round %d", round).hasValue(1);
            }
        }
        chA.shutdownNow();
        chB.shutdownNow();
    }
}
