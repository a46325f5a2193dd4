package io.memsidecar.tests;

import static io.memsidecar.tests.GrpcStatus.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.memsidecar.driver.postgres.TestDatabase;
import io.memsidecar.proto.episodic.v1.AppendRequest;
import io.memsidecar.proto.episodic.v1.EpisodicGrpc;
import io.memsidecar.proto.episodic.v1.Event;
import io.memsidecar.proto.episodic.v1.ExpireAction;
import io.memsidecar.proto.episodic.v1.ExpireRequest;
import io.memsidecar.proto.episodic.v1.RangeRequest;
import io.memsidecar.proto.episodic.v1.TailRequest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Episodic memory through the real server, on memory and PostgreSQL: append, range, expire, tail. */
class EpisodicEndToEndTest {
    private TestServer server;
    private ManagedChannel channel;
    private EpisodicGrpc.EpisodicBlockingStub episodic;
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);

    static String namespaces(String suffix) {
        return """
                backends:
                  - { name: mem, driver: memory }
                  - { name: pg, driver: postgres, options: { dsn: "%s" } }
                namespaces:
                  - { block: episodic, name: events, backend: mem }
                  - { block: episodic, name: pgevents-%s, backend: pg }
                """.formatted(TestDatabase.url(), suffix);
    }

    @BeforeEach
    void start() {
        server = new TestServer(namespaces(suffix), "");
        channel = server.tcpChannel();
        episodic = stub(channel, server.fullToken());
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.close();
    }

    static EpisodicGrpc.EpisodicBlockingStub stub(ManagedChannel channel, String token) {
        return EpisodicGrpc.newBlockingStub(CapabilityHeader.attach(channel, token));
    }

    private String ns(String driver) {
        return driver.equals("memory") ? "events" : "pgevents-" + suffix;
    }

    private Event append(String ns, String type) {
        return episodic.append(AppendRequest.newBuilder().setNamespace(ns).setType(type)
                .setPayload(ByteString.copyFromUtf8(type)).build()).getEvent();
    }

    private List<Event> range(RangeRequest r) {
        var out = new ArrayList<Event>();
        episodic.range(r).forEachRemaining(out::add);
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void appendRangeDedupSupersedeAndExpire(String driver) {
        String ns = ns(driver);
        Event a = append(ns, "message");
        var dedup = AppendRequest.newBuilder().setNamespace(ns).setType("message").setDedupKey("once").setSessionId("s").build();
        Event b = episodic.append(dedup).getEvent();
        assertThat(episodic.append(dedup).getEvent().getCursor()).isEqualTo(b.getCursor());
        Event c = episodic.append(AppendRequest.newBuilder().setNamespace(ns).setType("fact").addSupersedes(a.getId())
                .setSource("agent").build()).getEvent();
        assertThat(List.of(a.getCursor(), b.getCursor(), c.getCursor())).containsExactly(1L, 2L, 3L);

        assertThat(range(RangeRequest.newBuilder().setNamespace(ns).build())).extracting(Event::getCursor).containsExactly(2L, 3L);
        assertThat(range(RangeRequest.newBuilder().setNamespace(ns).setIncludeDeleted(true).build()).getFirst().hasDeletedAt()).isTrue();
        assertThat(range(RangeRequest.newBuilder().setNamespace(ns).setSessionId("s").build())).extracting(Event::getCursor)
                .containsExactly(2L);
        assertThat(range(RangeRequest.newBuilder().setNamespace(ns).setReverse(true).setLimit(1).build()))
                .extracting(Event::getCursor).containsExactly(3L);

        assertStatus(() -> episodic.append(AppendRequest.newBuilder().setNamespace(ns).build()), Status.Code.INVALID_ARGUMENT);
        assertStatus(() -> episodic.expire(ExpireRequest.newBuilder().setNamespace(ns).setMaxRows(10)
                .setAction(ExpireAction.EXPIRE_ACTION_HARD_DELETE).build()), Status.Code.INVALID_ARGUMENT);
        assertStatus(() -> episodic.expire(ExpireRequest.newBuilder().setNamespace(ns).setBeforeCursor(3)
                .setAction(ExpireAction.EXPIRE_ACTION_HARD_DELETE).build()), Status.Code.INVALID_ARGUMENT);
        assertStatus(() -> episodic.expire(ExpireRequest.newBuilder().setNamespace(ns).setBeforeCursor(3).setMaxRows(10)
                .build()), Status.Code.INVALID_ARGUMENT);
        assertThat(range(RangeRequest.newBuilder().setNamespace(ns).setIncludeDeleted(true).build())).hasSize(3);
        assertThat(episodic.expire(ExpireRequest.newBuilder().setNamespace(ns).setBeforeCursor(3).setMaxRows(10)
                .setAction(ExpireAction.EXPIRE_ACTION_HARD_DELETE).build()).getAffected()).isEqualTo(2);
        assertThat(append(ns, "after").getCursor()).isEqualTo(4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void tailDeliversLiveEventsAndReplaysHistoryWithoutGapOrDuplicate(String driver) throws Exception {
        String ns = ns(driver);
        for (int i = 0; i < 50; i++) {
            append(ns, "before");
        }
        int total = 300;
        var ctx = Context.current().withCancellation();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            // Appends race with the replay: the handover from history to live must lose nothing.
            var writer = pool.submit(() -> {
                for (int i = 0; i < total - 50; i++) {
                    append(ns, "during");
                }
                return null;
            });
            List<Long> cursors = ctx.call(() -> {
                Iterator<Event> it = episodic.withDeadlineAfter(60, TimeUnit.SECONDS).tail(TailRequest.newBuilder()
                        .setNamespace(ns).setAfterCursor(10).setIncludeHistorical(true).build());
                var seen = new ArrayList<Long>();
                while (seen.size() < total - 10) {
                    seen.add(it.next().getCursor());
                }
                return seen;
            });
            writer.get();
            var expected = new ArrayList<Long>();
            for (long c = 11; c <= total; c++) {
                expected.add(c);
            }
            assertThat(cursors).isEqualTo(expected);
        } finally {
            ctx.cancel(null);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void tailStartsAtTheLiveEdgeByDefault(String driver) throws Exception {
        String ns = ns(driver);
        append(ns, "old");
        var ctx = Context.current().withCancellation();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var first = pool.submit(() -> ctx.call(() -> episodic.withDeadlineAfter(60, TimeUnit.SECONDS)
                    .tail(TailRequest.newBuilder().setNamespace(ns).setAfterCursor(0).build()).next()));
            Thread.sleep(300); // the tail is open; "old" is behind its live edge
            append(ns, "new");
            Event got = first.get(60, TimeUnit.SECONDS);
            assertThat(got.getType()).isEqualTo("new");
            assertThat(got.getCursor()).isEqualTo(2);
        } finally {
            ctx.cancel(null);
        }
    }

    @Test
    void curlTailStreamsNdjsonLive() throws Exception {
        append("events", "first");
        try (var http = HttpClient.newHttpClient(); var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/episodic/events/tail?after=0"))
                    .header("x-memsidecar-capability", server.fullToken()).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
            try (var lines = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                assertThat(Json.parse(lines.readLine()).get("type").asText()).isEqualTo("first");
                pool.submit(() -> append("events", "second"));
                assertThat(Json.parse(lines.readLine()).get("cursor").asText()).isEqualTo("2");
            }
        }
        var bad = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/episodic/events/tail?after=x")).header("x-memsidecar-capability", server.fullToken()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        // The server is still healthy after the client hung up on a live tail.
        assertThat(append("events", "third").getCursor()).isEqualTo(3);
    }

    @Test
    void gatewayTailStreamsResultLines() throws Exception {
        append("events", "first");
        try (var http = HttpClient.newHttpClient(); var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                            + "/memsidecar.episodic.v1.Episodic/Tail"))
                    .header("x-memsidecar-capability", server.fullToken())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"namespace\":\"events\",\"includeHistorical\":true}"))
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(res.statusCode()).isEqualTo(200);
            try (var lines = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                assertThat(Json.parse(lines.readLine()).get("result").get("type").asText()).isEqualTo("first");
                pool.submit(() -> append("events", "second"));
                assertThat(Json.parse(lines.readLine()).get("result").get("cursor").asText()).isEqualTo("2");
            }
        }
    }

    @Test
    void twoSidecarsAppendingToOnePostgresNamespaceGetUniqueContiguousCursors() throws Exception {
        String ns = "pgevents-" + suffix;
        try (var second = TestServer.sharingKeyWith(server, namespaces(suffix), "")) {
            var ch2 = second.tcpChannel();
            var other = stub(ch2, server.fullToken());
            var ctx = Context.current().withCancellation();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                var tailed = pool.submit(() -> ctx.call(() -> {
                    var it = other.withDeadlineAfter(60, TimeUnit.SECONDS).tail(TailRequest.newBuilder().setNamespace(ns)
                            .setIncludeHistorical(true).build());
                    var seen = new ArrayList<Long>();
                    while (seen.size() < 200) {
                        seen.add(it.next().getCursor());
                    }
                    return seen;
                }));
                var writers = new ArrayList<java.util.concurrent.Future<List<Long>>>();
                for (var stub : List.of(episodic, other)) {
                    for (int w = 0; w < 4; w++) {
                        writers.add(pool.submit(() -> {
                            var mine = new ArrayList<Long>();
                            for (int i = 0; i < 25; i++) {
                                mine.add(stub.append(AppendRequest.newBuilder().setNamespace(ns).setType("x").build())
                                        .getEvent().getCursor());
                            }
                            return mine;
                        }));
                    }
                }
                var all = new ArrayList<Long>();
                for (var f : writers) {
                    all.addAll(f.get());
                }
                assertThat(all).doesNotHaveDuplicates().hasSize(200);
                assertThat(all.stream().mapToLong(Long::longValue).max().orElseThrow()).isEqualTo(200);
                List<Long> seen = tailed.get(60, TimeUnit.SECONDS);
                assertThat(seen).isSorted().doesNotHaveDuplicates().hasSize(200);
            } finally {
                ctx.cancel(null);
                ch2.shutdownNow();
            }
        }
    }
}
