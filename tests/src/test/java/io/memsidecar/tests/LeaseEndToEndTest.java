package io.memsidecar.tests;

import static io.memsidecar.tests.GrpcStatus.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.memsidecar.driver.postgres.TestDatabase;
import io.memsidecar.proto.lease.v1.AcquireRequest;
import io.memsidecar.proto.lease.v1.InspectRequest;
import io.memsidecar.proto.lease.v1.LeaseGrpc;
import io.memsidecar.proto.lease.v1.LeaseHandle;
import io.memsidecar.proto.lease.v1.ListRequest;
import io.memsidecar.proto.lease.v1.ReleaseRequest;
import io.memsidecar.proto.lease.v1.RenewRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Leases through the real server, on the memory and the PostgreSQL driver. */
class LeaseEndToEndTest {
    private TestServer server;
    private ManagedChannel channel;
    private LeaseGrpc.LeaseBlockingStub lease;
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void start() {
        server = new TestServer("""
                backends:
                  - { name: mem, driver: memory }
                  - { name: pg, driver: postgres, options: { dsn: "%s" } }
                namespaces:
                  - { block: lease, name: locks, backend: mem }
                  - { block: lease, name: pglocks-%s, backend: pg }
                  - { block: kv, name: notes, backend: mem }
                """.formatted(TestDatabase.url(), suffix), "");
        channel = server.tcpChannel();
        lease = LeaseGrpc.newBlockingStub(CapabilityHeader.attach(channel, server.fullToken()));
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.close();
    }

    private String ns(String driver) {
        return driver.equals("memory") ? "locks" : "pglocks-" + suffix;
    }

    private static Duration seconds(long s) {
        return Duration.newBuilder().setSeconds(s).build();
    }

    private static Duration millis(long ms) {
        return Duration.newBuilder().setNanos((int) (ms * 1_000_000)).build();
    }

    private LeaseHandle acquire(String ns, String key, Duration ttl, Duration waitFor) {
        return lease.withDeadlineAfter(30, TimeUnit.SECONDS).acquire(AcquireRequest.newBuilder().setNamespace(ns).setKey(key)
                .setTtl(ttl).setWaitFor(waitFor).putMetadata("who", "test").build()).getHandle();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void acquireRenewInspectListRelease(String driver) {
        String ns = ns(driver);
        LeaseHandle h = acquire(ns, "job", seconds(30), Duration.getDefaultInstance());
        assertThat(h.getNamespace()).isEqualTo(ns);
        assertThat(h.getFencingToken()).isPositive();
        assertThat(h.getMetadataMap()).containsEntry("who", "test");
        assertStatus(() -> acquire(ns, "job", seconds(30), Duration.getDefaultInstance()), Status.Code.FAILED_PRECONDITION);

        var renewed = lease.renew(RenewRequest.newBuilder().setNamespace(ns).setKey("job").setHolderId(h.getHolderId())
                .setTtl(seconds(60)).build()).getHandle();
        assertThat(renewed.getExpiresAt().getSeconds()).isGreaterThan(h.getExpiresAt().getSeconds());
        assertStatus(() -> lease.renew(RenewRequest.newBuilder().setNamespace(ns).setKey("job").setHolderId("not-me")
                .setTtl(seconds(60)).build()), Status.Code.FAILED_PRECONDITION);

        var inspect = lease.inspect(InspectRequest.newBuilder().setNamespace(ns).setKey("job").build());
        assertThat(inspect.getHeld()).isTrue();
        assertThat(inspect.getHandle().getHolderId()).isEqualTo(h.getHolderId());
        assertThat(lease.list(ListRequest.newBuilder().setNamespace(ns).build()).getLeasesList())
                .extracting(LeaseHandle::getKey).containsExactly("job");

        assertStatus(() -> lease.release(ReleaseRequest.newBuilder().setNamespace(ns).setKey("job").setHolderId("not-me").build()),
                Status.Code.FAILED_PRECONDITION);
        assertThat(lease.release(ReleaseRequest.newBuilder().setNamespace(ns).setKey("job").setHolderId(h.getHolderId())
                .build()).getExisted()).isTrue();
        assertThat(lease.inspect(InspectRequest.newBuilder().setNamespace(ns).setKey("job").build()).getHeld()).isFalse();
        assertThat(acquire(ns, "job", seconds(30), Duration.getDefaultInstance()).getFencingToken())
                .isGreaterThan(h.getFencingToken());
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void waitForGetsTheLeaseWhenTheHolderReleasesIt(String driver) throws Exception {
        String ns = ns(driver);
        LeaseHandle first = acquire(ns, "job", seconds(60), Duration.getDefaultInstance());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var waiter = pool.submit(() -> acquire(ns, "job", seconds(60), seconds(60)));
            Thread.sleep(200);
            assertThat(waiter).isNotDone();
            lease.release(ReleaseRequest.newBuilder().setNamespace(ns).setKey("job").setHolderId(first.getHolderId()).build());
            LeaseHandle second = waiter.get(30, TimeUnit.SECONDS);
            assertThat(second.getFencingToken()).isGreaterThan(first.getFencingToken());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void aWaiterWhoseDeadlinePassedDoesNotTakeTheLeaseWhenItIsReleased(String driver) throws Exception {
        String ns = ns(driver);
        LeaseHandle first = acquire(ns, "abandoned", seconds(60), Duration.getDefaultInstance());
        assertStatus(() -> lease.withDeadlineAfter(300, TimeUnit.MILLISECONDS).acquire(AcquireRequest.newBuilder()
                .setNamespace(ns).setKey("abandoned").setTtl(seconds(60)).setWaitFor(seconds(30)).build()),
                Status.Code.DEADLINE_EXCEEDED);
        lease.release(ReleaseRequest.newBuilder().setNamespace(ns).setKey("abandoned").setHolderId(first.getHolderId()).build());
        // the abandoned waiter wakes on the release; give it the time to (wrongly) take the lease
        Thread.sleep(1000);
        assertThat(lease.inspect(InspectRequest.newBuilder().setNamespace(ns).setKey("abandoned").build()).getHeld())
                .as("nobody waits for it any more, so nobody holds it").isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void waitForTakesOverAnExpiredLeaseAndGivesUpWhenItRunsOut(String driver) {
        String ns = ns(driver);
        LeaseHandle first = acquire(ns, "short", millis(300), Duration.getDefaultInstance());
        LeaseHandle second = acquire(ns, "short", seconds(60), seconds(20));
        assertThat(second.getFencingToken()).isGreaterThan(first.getFencingToken());
        assertThat(com.google.protobuf.util.Timestamps.compare(second.getAcquiredAt(), first.getExpiresAt())).isNotNegative();
        assertStatus(() -> acquire(ns, "short", seconds(60), millis(200)), Status.Code.FAILED_PRECONDITION);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void badInputIsInvalidArgument(String driver) {
        String ns = ns(driver);
        assertStatus(() -> acquire(ns, "job", Duration.getDefaultInstance(), Duration.getDefaultInstance()),
                Status.Code.INVALID_ARGUMENT);
        assertStatus(() -> acquire(ns, "", seconds(5), Duration.getDefaultInstance()), Status.Code.INVALID_ARGUMENT);
        assertStatus(() -> lease.renew(RenewRequest.newBuilder().setNamespace(ns).setKey("job").setTtl(seconds(5)).build()),
                Status.Code.INVALID_ARGUMENT);
        assertStatus(() -> acquire("nope", "job", seconds(5), Duration.getDefaultInstance()), Status.Code.NOT_FOUND);
        assertThat(lease.inspect(InspectRequest.newBuilder().setNamespace(ns).setKey("job").build()).getHeld()).isFalse();
    }

    @org.junit.jupiter.api.Test
    void theGatewayShowsTheFencingToken() throws Exception {
        try (var http = HttpClient.newHttpClient()) {
            var res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                            + "/memsidecar.lease.v1.Lease/Acquire"))
                    .header("x-memsidecar-capability", server.fullToken())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"namespace\":\"locks\",\"key\":\"k\",\"ttl\":\"5s\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(Json.parse(res.body()).get("handle").get("fencingToken").asText()).isEqualTo("1");
        }
    }
}
