package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import com.google.protobuf.util.Timestamps;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.memsidecar.driver.postgres.TestDatabase;
import io.memsidecar.proto.lease.v1.AcquireRequest;
import io.memsidecar.proto.lease.v1.LeaseGrpc;
import io.memsidecar.proto.lease.v1.LeaseHandle;
import io.memsidecar.proto.lease.v1.ReleaseRequest;
import io.memsidecar.tokens.Ed25519Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three sidecar processes on one PostgreSQL, clients racing for a few keys for a bounded time,
 * one sidecar killed with SIGKILL mid-run. Every grant is recorded with its fencing token and
 * its validity window (database clock). No two holders may hold a key at once, tokens must
 * strictly increase, and the killed sidecar's lease must be taken over once it expires.
 */
class LeaseSafetyTest {
    private static final Duration TTL = Duration.newBuilder().setSeconds(3).build();
    private static final long RUN_MILLIS = 8_000;

    @TempDir
    Path dir;

    private record Grant(String key, LeaseHandle handle, AtomicReference<Boolean> released) {
        long token() {
            return handle.getFencingToken();
        }
    }

    private static LeaseGrpc.LeaseBlockingStub stub(ManagedChannel channel, String token) {
        return LeaseGrpc.newBlockingStub(CapabilityHeader.attach(channel, token));
    }

    @Test
    void noTwoHoldersAtOnceTokensIncreaseAndAKilledSidecarsLeaseIsTakenOver() throws Exception {
        String[] keys = Ed25519Keys.generateHex();
        String ns = "safety-" + UUID.randomUUID().toString().substring(0, 8);
        Path config = dir.resolve("sidecar.yaml");
        Files.writeString(config, """
                server: { grpc: { tcp: "127.0.0.1:0" }, shutdown_timeout: 2s }
                logging: { level: info, access: false }
                auth: { paseto: { public_key_hexes: ["%s"] } }
                backends:
                  - { name: pg, driver: postgres, options: { dsn: "%s", max_conns: 4, sweeper_interval: 1s } }
                namespaces:
                  - { block: lease, name: %s, backend: pg }
                """.formatted(keys[1], TestDatabase.url(), ns));
        String token = TestServer.token(keys[0], List.of("lease/*"), List.of("lease.acquire", "lease.release"),
                java.time.Duration.ofMinutes(10), java.time.Instant.now());

        var servers = new ArrayList<ServerProcess>();
        var channels = new ArrayList<ManagedChannel>();
        try {
            for (int i = 0; i < 3; i++) {
                servers.add(ServerProcess.start(Map.of(), "--config", config.toString()));
                channels.add(NettyChannelBuilder.forAddress("127.0.0.1", servers.get(i).port).usePlaintext().build());
            }
            List<LeaseGrpc.LeaseBlockingStub> stubs = channels.stream().map(c -> stub(c, token)).toList();

            var grants = new CopyOnWriteArrayList<Grant>();
            var occupant = new ConcurrentHashMap<String, String>();
            var violations = new CopyOnWriteArrayList<String>();
            var afterKill = new AtomicInteger();
            var killed = new java.util.concurrent.atomic.AtomicBoolean();
            long deadline = System.currentTimeMillis() + RUN_MILLIS;
            List<String> contested = List.of("a", "b", "c");

            try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < 9; c++) {
                    String client = "client-" + c;
                    int home = c % 3;
                    pool.submit(() -> {
                        int instance = home;
                        var random = ThreadLocalRandom.current();
                        while (System.currentTimeMillis() < deadline) {
                            String key = contested.get(random.nextInt(contested.size()));
                            LeaseHandle h;
                            try {
                                h = stubs.get(instance).withDeadlineAfter(10, TimeUnit.SECONDS).acquire(AcquireRequest
                                        .newBuilder().setNamespace(ns).setKey(key).setTtl(TTL)
                                        .setWaitFor(Duration.newBuilder().setNanos(300_000_000)).build()).getHandle();
                            } catch (StatusRuntimeException e) {
                                if (e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) {
                                    instance = (instance + 1) % 3; // that sidecar is gone: use another
                                }
                                continue;
                            }
                            var grant = new Grant(key, h, new AtomicReference<>(false));
                            grants.add(grant);
                            if (killed.get()) {
                                afterKill.incrementAndGet();
                            }
                            String other = occupant.putIfAbsent(key, client);
                            if (other != null) {
                                violations.add(client + " got " + key + " (token " + h.getFencingToken() + ") while " + other + " held it");
                            }
                            try {
                                Thread.sleep(random.nextInt(30)); // use the resource, well within the TTL
                            } catch (InterruptedException e) {
                                return null;
                            }
                            occupant.remove(key, client);
                            if (random.nextInt(20) == 0) {
                                continue; // a client that crashes holding the lease: it must expire
                            }
                            try {
                                boolean existed = stubs.get(instance).withDeadlineAfter(10, TimeUnit.SECONDS).release(
                                        ReleaseRequest.newBuilder().setNamespace(ns).setKey(key)
                                                .setHolderId(h.getHolderId()).build()).getExisted();
                                grant.released().set(existed);
                            } catch (StatusRuntimeException e) {
                                // unknown outcome: a Release to the sidecar being killed may have committed
                                // before it died, so a later grant need not wait for this one's expiry
                                grant.released().set(true);
                                instance = (instance + 1) % 3;
                            }
                        }
                        return null;
                    });
                }

                Thread.sleep(RUN_MILLIS / 3);
                LeaseHandle orphan = stubs.get(0).acquire(AcquireRequest.newBuilder().setNamespace(ns).setKey("orphan")
                        .setTtl(Duration.newBuilder().setSeconds(1)).build()).getHandle();
                servers.get(0).kill();
                killed.set(true);
                LeaseHandle takeover = stubs.get(1).withDeadlineAfter(30, TimeUnit.SECONDS).acquire(AcquireRequest.newBuilder()
                        .setNamespace(ns).setKey("orphan").setTtl(TTL)
                        .setWaitFor(Duration.newBuilder().setSeconds(15)).build()).getHandle();
                assertThat(takeover.getFencingToken()).isGreaterThan(orphan.getFencingToken());
                assertThat(Timestamps.compare(takeover.getAcquiredAt(), orphan.getExpiresAt())).isNotNegative();
            }

            assertThat(violations).isEmpty();
            assertThat(grants.size()).as("grants recorded").isGreaterThan(20);
            assertThat(afterKill.get()).as("grants after the SIGKILL").isPositive();
            for (String key : contested) {
                List<Grant> byToken = grants.stream().filter(g -> g.key().equals(key))
                        .sorted(Comparator.comparingLong(Grant::token)).toList();
                for (int i = 1; i < byToken.size(); i++) {
                    Grant prev = byToken.get(i - 1);
                    Grant next = byToken.get(i);
                    assertThat(next.token()).as("tokens of %s are unique", key).isGreaterThan(prev.token());
                    assertThat(Timestamps.compare(next.handle().getAcquiredAt(), prev.handle().getAcquiredAt()))
                            .as("a higher token is a later grant (%s)", key).isNotNegative();
                    if (!prev.released().get()) {
                        assertThat(Timestamps.compare(next.handle().getAcquiredAt(), prev.handle().getExpiresAt()))
                                .as("%s token %d taken before token %d expired", key, next.token(), prev.token())
                                .isNotNegative();
                    }
                }
            }
        } finally {
            channels.forEach(ManagedChannel::shutdownNow);
            for (ServerProcess s : servers) {
                s.close();
            }
        }
    }
}
