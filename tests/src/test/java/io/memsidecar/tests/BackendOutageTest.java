package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memsidecar.driver.postgres.TestDatabase;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.PutRequest;
import io.memsidecar.proto.kv.v1.TxnCompare;
import io.memsidecar.proto.kv.v1.TxnGet;
import io.memsidecar.proto.kv.v1.TxnOp;
import io.memsidecar.proto.kv.v1.TxnPut;
import io.memsidecar.proto.kv.v1.TxnRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.memsidecar.proto.episodic.v1.AppendRequest;
import io.memsidecar.proto.episodic.v1.EpisodicGrpc;
import io.memsidecar.proto.episodic.v1.TailRequest;
import io.memsidecar.proto.lease.v1.AcquireRequest;
import io.memsidecar.proto.lease.v1.LeaseGrpc;
import io.memsidecar.proto.lease.v1.LeaseHandle;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A backend that goes away answers UNAVAILABLE (HTTP 503 with Retry-After), never INTERNAL, against the
 * real backend: PostgreSQL terminating the sidecar's connection (what a restart or failover does to it),
 * and a Redis server that is stopped. Nothing stored is lost, and the sidecar recovers by itself.
 */
class BackendOutageTest {

    @Test
    void postgresClosingTheConnectionIsUnavailableAndTheNextCallRecovers() throws Exception {
        String url = TestDatabase.url();
        String app = "memsidecar-outage-" + System.nanoTime();
        String dsn = url + (url.contains("?") ? "&" : "?") + "ApplicationName=" + app;
        try (var server = new TestServer("""
                backends:
                  - { name: pg, driver: postgres, options: { dsn: "%s", max_conns: 1 } }
                namespaces:
                  - { block: kv, name: outage, backend: pg }
                """.formatted(dsn), "")) {
            var ch = server.tcpChannel();
            try {
                var kv = TestServer.kv(ch, server.fullToken());
                var put = PutRequest.newBuilder().setNamespace("outage").setKey("k").setValue(ByteString.copyFromUtf8("v1")).build();
                kv.put(put);
                terminate(url, app);
                // the pool hands out the connection it used a moment ago without validating it
                assertThatThrownBy(() -> kv.put(put.toBuilder().setValue(ByteString.copyFromUtf8("v2")).build()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                            assertThat(e.getStatus().getDescription()).contains("PostgreSQL unavailable", "may have been applied")
                                    .doesNotContain(url).doesNotContain("postgres://").doesNotContain("user=");
                        });
                var got = kv.get(GetRequest.newBuilder().setNamespace("outage").setKey("k").build());
                assertThat(got.getFound()).as("the pool replaced the dead connection").isTrue();
                assertThat(got.getValue().toStringUtf8()).isIn("v1", "v2");
                // a transaction on a connection the database closed is UNAVAILABLE too, and nothing of it applied
                terminate(url, app);
                var txn = TxnRequest.newBuilder().setNamespace("outage")
                        .addCompare(TxnCompare.newBuilder().setKey("k").setPresent(true))
                        .addSuccess(TxnOp.newBuilder().setPut(TxnPut.newBuilder().setKey("k").setValue(ByteString.copyFromUtf8("v3"))))
                        .build();
                assertThatThrownBy(() -> kv.txn(txn)).isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
                assertThat(kv.get(GetRequest.newBuilder().setNamespace("outage").setKey("k").build()).getValue().toStringUtf8())
                        .isIn("v1", "v2");
                assertThat(kv.txn(txn).getSucceeded()).as("the next transaction runs").isTrue();
            } finally {
                ch.shutdownNow();
            }
        }
    }

    /**
     * The database's address taken away behind a relay (what a stopped or unreachable database looks
     * like): calls answer UNAVAILABLE within their deadline — not after connect_timeout (30 s here) —
     * readiness flips to DOWN and back while answering at once, and an open tail rides the outage out
     * and delivers every event exactly once, in order, when the database is back.
     */
    @Test
    void anUnreachablePostgresIsUnavailableWithinTheDeadlineAndTailsCarryOn() throws Exception {
        String url = TestDatabase.url();
        var target = java.net.URI.create(url.substring("jdbc:".length()));
        try (var proxy = new LoopbackProxy(target.getHost(), target.getPort())) {
            String dsn = url.replaceFirst("//[^/]+/", "//127.0.0.1:" + proxy.port() + "/");
            String ns = "unreachable" + System.nanoTime();
            try (var server = TestServer.withHttpListener("""
                    backends:
                      - { name: pg, driver: postgres, options: { dsn: "%s", max_conns: 2, connect_timeout: 30s } }
                      - { name: pg-short, driver: postgres, options: { dsn: "%s", max_conns: 2, connect_timeout: 1s } }
                    namespaces:
                      - { block: kv, name: unreachable, backend: pg }
                      - { block: episodic, name: %s, backend: pg }
                      - { block: lease, name: %s, backend: pg-short }
                      - { block: semantic, name: %s, backend: pg, embedder: { provider: fake, dimensions: 4 } }
                      - { block: graph, name: %s, backend: pg }
                    """.formatted(dsn, dsn, ns, ns, ns, ns), Map.of("MEMSIDECAR_SERVER__REQUEST_TIMEOUT", "1s"))) {
                var ch = server.tcpChannel();
                var tailChannel = server.tcpChannel();
                var tailed = new LinkedBlockingQueue<Object>();
                try {
                    var kv = TestServer.kv(ch, server.fullToken());
                    var episodic = EpisodicGrpc.newBlockingStub(CapabilityHeader.attach(ch, server.fullToken()));
                    var get = GetRequest.newBuilder().setNamespace("unreachable").setKey("k").build();
                    kv.put(PutRequest.newBuilder().setNamespace("unreachable").setKey("k").setValue(ByteString.copyFromUtf8("v")).build());
                    Thread.ofVirtual().start(() -> {
                        try {
                            EpisodicGrpc.newBlockingStub(CapabilityHeader.attach(tailChannel, server.fullToken()))
                                    .tail(TailRequest.newBuilder().setNamespace(ns).setIncludeHistorical(true).build())
                                    .forEachRemaining(e -> tailed.add(e.getType()));
                        } catch (StatusRuntimeException e) {
                            tailed.add(e.getStatus());
                        }
                    });
                    for (int i = 1; i <= 3; i++) {
                        episodic.append(append(ns, "e" + i));
                    }
                    assertThat(List.of(tailed.poll(20, TimeUnit.SECONDS), tailed.poll(20, TimeUnit.SECONDS),
                            tailed.poll(20, TimeUnit.SECONDS))).containsExactly("e1", "e2", "e3");

                    // a lease held for 2 s, and a waiter for it that will have to ride out the outage (its
                    // backend gives up on a connection after 1 s: the waiter sees UNAVAILABLE and carries on)
                    var leases = LeaseGrpc.newBlockingStub(CapabilityHeader.attach(ch, server.fullToken()));
                    leases.acquire(AcquireRequest.newBuilder().setNamespace(ns).setKey("w").setTtl(seconds(2)).build());
                    var waiter = new java.util.concurrent.CompletableFuture<Object>();
                    Thread.ofVirtual().start(() -> {
                        try {
                            waiter.complete(LeaseGrpc.newBlockingStub(CapabilityHeader.attach(tailChannel, server.fullToken()))
                                    .acquire(AcquireRequest.newBuilder().setNamespace(ns).setKey("w").setTtl(seconds(30))
                                            .setWaitFor(seconds(90)).build()).getHandle());
                        } catch (StatusRuntimeException e) {
                            waiter.complete(e.getStatus());
                        }
                    });

                    proxy.stop(); // the database's address refuses connections; open ones are cut
                    for (int i = 0; i < 3; i++) { // a cut connection, then no connection to be had
                        // connect_timeout is 30 s: only the call's deadline can make this UNAVAILABLE in time
                        assertUnavailable(() -> kv.withDeadlineAfter(1500, TimeUnit.MILLISECONDS).get(get), proxy);
                    }
                    // no deadline from the client: server.request_timeout (1 s) bounds it, long before 20 s
                    assertUnavailable(() -> kv.withDeadlineAfter(20, TimeUnit.SECONDS).get(get), proxy);
                    assertUnavailable(() -> episodic.withDeadlineAfter(20, TimeUnit.SECONDS).append(append(ns, "lost")), proxy);
                    // a Recall's snapshot transaction (semantic and graph on the one backend)
                    var recall = io.memsidecar.proto.recall.v1.RecallRequest.newBuilder().setSemanticNamespace(ns)
                            .setGraphNamespace(ns).setQueryText("anything").build();
                    assertUnavailable(() -> io.memsidecar.proto.recall.v1.RecallGrpc.newBlockingStub(
                            CapabilityHeader.attach(ch, server.fullToken())).withDeadlineAfter(20, TimeUnit.SECONDS)
                            .recall(recall), proxy);

                    var http = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(2)).build();
                    var readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server.httpPort().orElseThrow()
                            + "/readyz")).timeout(java.time.Duration.ofSeconds(1)).build();
                    var health = HealthGrpc.newBlockingStub(ch);
                    var all = HealthCheckRequest.newBuilder().setService("").build();
                    Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> {
                        var res = http.send(readyz, HttpResponse.BodyHandlers.ofString()); // answers within 1 s in every state
                        assertThat(res.statusCode()).isEqualTo(503);
                        assertThat(res.body()).contains("\"status\":\"DOWN\"", "\"pg\":{\"up\":false");
                        assertThat(health.withDeadlineAfter(1, TimeUnit.SECONDS).check(all).getStatus())
                                .isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
                    });
                    assertThat(tailed).as("the tail stays open through the outage").isEmpty();

                    proxy.start();
                    Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> {
                        var res = http.send(readyz, HttpResponse.BodyHandlers.ofString());
                        assertThat(res.statusCode()).isEqualTo(200);
                        assertThat(res.body()).contains("\"status\":\"UP\"", "\"pg\":{\"up\":true");
                        assertThat(health.check(all).getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
                    });
                    assertThat(kv.get(get).getValue().toStringUtf8()).as("served again, nothing lost").isEqualTo("v");
                    assertThat(io.memsidecar.proto.recall.v1.RecallGrpc.newBlockingStub(CapabilityHeader.attach(ch,
                            server.fullToken())).recall(recall).getHitsList()).isEmpty();
                    for (int i = 4; i <= 6; i++) {
                        episodic.append(append(ns, "e" + i));
                    }
                    var after = new java.util.ArrayList<Object>();
                    for (int i = 0; i < 3; i++) {
                        after.add(tailed.poll(30, TimeUnit.SECONDS));
                    }
                    assertThat(after).as("the same tail carries on: every event once, in order").containsExactly("e4", "e5", "e6");
                    assertThat(tailed.poll(300, TimeUnit.MILLISECONDS)).as("nothing delivered twice").isNull();
                    assertThat(waiter.get(60, TimeUnit.SECONDS)).as("the lease waiter rode out the outage and got the lease")
                            .isInstanceOf(LeaseHandle.class);
                } finally {
                    ch.shutdownNow();
                    tailChannel.shutdownNow();
                }
            }
        }
    }

    private static com.google.protobuf.Duration seconds(long s) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(s).build();
    }

    private static AppendRequest append(String ns, String type) {
        return AppendRequest.newBuilder().setNamespace(ns).setType(type).setPayload(ByteString.copyFromUtf8(type)).build();
    }

    /** What a restart, a failover or an administrator does to the sidecar's open connections (57P01). */
    private static void terminate(String url, String app) throws java.sql.SQLException {
        try (var admin = DriverManager.getConnection(url);
             var st = admin.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?")) {
            st.setString(1, app);
            try (var rs = st.executeQuery()) {
                assertThat(rs.next() && rs.getLong(1) >= 1).as("the sidecar's connection was terminated").isTrue();
            }
        }
    }

    private static void assertUnavailable(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, LoopbackProxy proxy) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).contains("PostgreSQL unavailable")
                    .doesNotContain(String.valueOf(proxy.port()));
        });
    }

    /** A TCP relay on loopback to the real database, which the test can take away and bring back. */
    private static final class LoopbackProxy implements AutoCloseable {
        private final String host;
        private final int targetPort;
        private final int port;
        private final java.util.Set<java.net.Socket> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private volatile ServerSocket listener;

        LoopbackProxy(String host, int targetPort) throws IOException {
            this.host = host;
            this.targetPort = targetPort;
            try (var s = new ServerSocket(0)) {
                this.port = s.getLocalPort();
            }
            start();
        }

        int port() {
            return port;
        }

        void start() throws IOException {
            var l = new ServerSocket();
            l.setReuseAddress(true);
            l.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            listener = l;
            Thread.ofVirtual().start(() -> {
                while (!l.isClosed()) {
                    try {
                        var client = l.accept();
                        var upstream = new java.net.Socket(host, targetPort);
                        open.add(client);
                        open.add(upstream);
                        pump(client, upstream);
                        pump(upstream, client);
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        private void pump(java.net.Socket from, java.net.Socket to) {
            Thread.ofVirtual().start(() -> {
                try (from; to) {
                    from.getInputStream().transferTo(to.getOutputStream());
                } catch (IOException cut) {
                    // stopped
                }
            });
        }

        void stop() throws IOException {
            listener.close();
            for (var s : open) {
                s.close();
            }
            open.clear();
        }

        @Override
        public void close() throws IOException {
            stop();
        }
    }

    @Test
    void aStoppedRedisIsUnavailableOverGrpcAndHttp() throws Exception {
        int port;
        try (var s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("memsidecar-redis");
        Process redis = startRedis(port, dir);
        try (var server = TestServer.withHttpListener("""
                backends:
                  - { name: cache, driver: redis, options: { dsn: "redis://127.0.0.1:%d" } }
                namespaces:
                  - { block: kv, name: cache, backend: cache }
                """.formatted(port))) {
            var ch = server.tcpChannel();
            try {
                var kv = TestServer.kv(ch, server.fullToken());
                var put = PutRequest.newBuilder().setNamespace("cache").setKey("k").setValue(ByteString.copyFromUtf8("v")).build();
                assertThat(kv.put(put).getVersion()).isEqualTo(1);
                redis.destroy();
                assertThat(redis.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThatThrownBy(() -> kv.put(put)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).startsWith("redis: unavailable");
                });
                assertThatThrownBy(() -> kv.txn(TxnRequest.newBuilder().setNamespace("cache")
                        .addSuccess(TxnOp.newBuilder().setGet(TxnGet.newBuilder().setKey("k"))).build()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
                HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + server.server.httpPort().orElseThrow() + "/memsidecar.kv.v1.KV/Get"))
                        .header("x-memsidecar-capability", "Bearer " + server.fullToken())
                        .POST(HttpRequest.BodyPublishers.ofString("{\"namespace\":\"cache\",\"key\":\"k\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(res.statusCode()).isEqualTo(503);
                assertThat(res.headers().firstValue("retry-after")).hasValue("1");
                assertThat(res.body()).contains("\"code\":14");

                redis = startRedis(port, dir); // back (empty: nothing was persisted, the test keeps no data)
                assertThat(kv.put(put).getVersion()).as("the pool reconnects by itself").isPositive();
            } finally {
                ch.shutdownNow();
            }
        } finally {
            redis.destroy();
            redis.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static Process startRedis(int port, Path dir) throws IOException, InterruptedException {
        boolean present = new ProcessBuilder("bash", "-c", "command -v redis-server").start().waitFor() == 0;
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true but redis-server is not installed");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(present, "redis-server not installed");
        Process p = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (var s = new java.net.Socket("127.0.0.1", port)) {
                return p;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("redis-server did not listen on " + port);
    }
}
