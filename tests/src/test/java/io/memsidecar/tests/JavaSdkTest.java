package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memsidecar.client.Artifacts;
import io.memsidecar.client.Episodic;
import io.memsidecar.client.Graph;
import io.memsidecar.client.InvalidArgumentException;
import io.memsidecar.client.Kv;
import io.memsidecar.client.Leases;
import io.memsidecar.client.MemSidecar;
import io.memsidecar.client.NotFoundException;
import io.memsidecar.client.PermissionDeniedException;
import io.memsidecar.client.PreconditionFailedException;
import io.memsidecar.client.Recall;
import io.memsidecar.client.ResourceExhaustedException;
import io.memsidecar.client.Semantic;
import io.memsidecar.client.UnauthenticatedException;
import io.memsidecar.client.UnavailableException;
import io.memsidecar.client.VersionMismatchException;
import io.memsidecar.driver.postgres.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java SDK ({@code sdk/java}) against a real server, every block on the memory and the
 * PostgreSQL backends (artifacts: memory and the filesystem): results, typed exceptions, deadlines, a cancelled tail, leases renewing
 * past their TTL, and a 256 MiB artifact through the streams in a JVM with a 64 MiB heap.
 */
class JavaSdkTest {
    private static final String SUFFIX = Long.toHexString(System.nanoTime());
    private static TestServer server;
    private static MemSidecar memory;
    @TempDir
    static java.nio.file.Path artifactDir;

    @BeforeAll
    static void start() {
        var namespaces = new StringBuilder();
        for (String b : List.of("mem", "pg")) {
            namespaces.append("""
                      - { block: kv, name: kv-%1$s, backend: %1$s }
                      - { block: episodic, name: ev-%1$s, backend: %1$s }
                      - { block: semantic, name: notes-%1$s, backend: %1$s, embedder: { provider: fake, dimensions: 16 } }
                      - { block: artifact, name: blobs-%1$s, backend: %2$s }
                      - { block: lease, name: locks-%1$s, backend: %1$s }
                      - { block: graph, name: world-%1$s, backend: %1$s }
                    """.formatted(b, b.equals("pg") ? "disk" : b));
        }
        server = new TestServer("""
                backends:
                  - { name: mem, driver: memory }
                  - { name: pg, driver: postgres, options: { dsn: "%s" } }
                  - { name: disk, driver: fs, options: { base_dir: "%s" } }
                namespaces:
                %s""".formatted(TestDatabase.url(), artifactDir, namespaces.toString().replace("-pg,", "-pg-" + SUFFIX + ",")
                .replace("-pg }", "-pg-" + SUFFIX + " }")), "");
        memory = MemSidecar.connect("127.0.0.1:" + server.port(), server.fullToken());
    }

    @AfterAll
    static void stop() {
        if (memory != null) { // null when start() skipped the suite (no PostgreSQL outside CI)
            memory.close();
            server.close();
        }
    }

    private static String ns(String block, String backend) {
        return block + "-" + backend + (backend.equals("pg") ? "-" + SUFFIX : "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mem", "pg"})
    void kv(String backend) {
        String ns = ns("kv", backend);
        Kv.Written w = memory.kv().put(ns, "user:1", "fr", Kv.PutOptions.ttl(Duration.ofMinutes(5)).withContentType("text/plain"));
        assertThat(w.version()).isEqualTo(1);
        assertThat(w.expiresAt()).isPresent();
        Kv.Entry e = memory.kv().get(ns, "user:1").orElseThrow();
        assertThat(e.text()).isEqualTo("fr");
        assertThat(e.contentType()).isEqualTo("text/plain");
        assertThat(memory.kv().get(ns, "absent")).isEmpty();
        assertThatThrownBy(() -> memory.kv().put(ns, "user:1", "x", Kv.PutOptions.NONE.withIfVersion(9)))
                .isInstanceOf(VersionMismatchException.class).isInstanceOf(PreconditionFailedException.class);
        assertThat(memory.kv().put(ns, "user:1", "de", Kv.PutOptions.NONE.withIfVersion(1)).version()).isEqualTo(2);
        memory.kv().put(ns, "user:2", "en");
        assertThat(memory.kv().multiGet(ns, List.of("user:2", "nope", "user:1"))).extracting(Kv.Entry::key)
                .containsExactlyInAnyOrder("user:2", "user:1");
        try (var keys = memory.kv().scan(ns, Kv.ScanOptions.prefix("user:").withValues())) {
            assertThat(keys.map(Kv.Entry::text)).containsExactly("de", "en");
        }
        // a transaction: user:1 (version 2) moves to user:3 only if user:3 is absent; then the same again fails
        var moved = memory.kv().txn(ns).ifVersion("user:1", 2).ifAbsent("user:3").put("user:3", "de").delete("user:1").commit();
        assertThat(moved.succeeded()).isTrue();
        assertThat(moved.results().get(0).written().orElseThrow().version()).isEqualTo(1);
        assertThat(moved.results().get(1).existed()).isTrue();
        var again = memory.kv().txn(ns).ifVersion("user:1", 2).ifAbsent("user:3").put("user:3", "x").orElseGet("user:3").commit();
        assertThat(again.succeeded()).isFalse();
        assertThat(again.failedCompares()).containsExactly(0, 1);
        assertThat(again.results().getFirst().entry().orElseThrow().text()).isEqualTo("de");
        assertThatThrownBy(() -> memory.kv().txn(ns).put("user:3", "a".getBytes(), Kv.PutOptions.NONE.withIfVersion(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(memory.kv().delete(ns, "user:2", OptionalLong.of(1))).isTrue();
        assertThat(memory.kv().delete(ns, "user:2")).isFalse();
        assertThatThrownBy(() -> memory.kv().put(ns, "", "v")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> memory.kv().get("not-configured", "k")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void credentialsDeadlinesAndUnixSockets() {
        try (var narrow = MemSidecar.connect("127.0.0.1:" + server.port(), server.token(List.of("kv/kv-mem"), List.of("get")))) {
            assertThat(narrow.kv().get("kv-mem", "k")).isEmpty();
            assertThatThrownBy(() -> narrow.kv().put("kv-mem", "k", "v")).isInstanceOf(PermissionDeniedException.class);
            assertThatThrownBy(() -> narrow.admin().listNamespaces()).isInstanceOf(PermissionDeniedException.class);
        }
        try (var bogus = MemSidecar.connect("127.0.0.1:" + server.port(), "v4.public.bogus")) {
            assertThatThrownBy(() -> bogus.kv().get("kv-mem", "k")).isInstanceOf(UnauthenticatedException.class);
        }
        try (var hurried = MemSidecar.builder().target("127.0.0.1:" + server.port()).token(server.fullToken())
                .deadline(Duration.ofNanos(1)).build()) {
            assertThatThrownBy(() -> hurried.kv().get("kv-mem", "k")).isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("DEADLINE_EXCEEDED");
        }
        try (var nobody = MemSidecar.builder().target("127.0.0.1:1").token(server.fullToken()).maxAttempts(2).build()) {
            assertThatThrownBy(() -> nobody.kv().get("kv-mem", "k")).isInstanceOf(UnavailableException.class);
        }
        try (var local = MemSidecar.builder().unixSocket(server.socket).token(server.fullToken()).build()) {
            local.kv().put("kv-mem", "over-uds", "yes");
            assertThat(local.kv().get("kv-mem", "over-uds").orElseThrow().text()).isEqualTo("yes");
        }
        assertThat(memory.admin().listNamespaces()).anySatisfy(n -> {
            assertThat(n.name()).isEqualTo("notes-mem");
            assertThat(n.embedder()).isEqualTo("fake");
            assertThat(n.dimensions()).isEqualTo(16);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"mem", "pg"})
    void episodicRangeAndACancelledTail(String backend) throws Exception {
        String ns = ns("ev", backend);
        Episodic.Event first = memory.episodic().append(ns, Episodic.NewEvent.of("message", "hello").withRole("user").withSession("s1"));
        memory.episodic().append(ns, Episodic.NewEvent.of("tool_call", "search").withSession("s2"));
        try (var s1 = memory.episodic().range(ns, Episodic.RangeOptions.ALL.withSession("s1"))) {
            assertThat(s1.map(Episodic.Event::text)).containsExactly("hello");
        }
        try (var latest = memory.episodic().range(ns, Episodic.RangeOptions.ALL.reversed().withLimit(1))) {
            assertThat(latest.map(Episodic.Event::type)).containsExactly("tool_call");
        }

        var seen = Collections.synchronizedList(new ArrayList<String>());
        Episodic.Subscription tail = memory.episodic().tail(ns, first.cursor(), true);
        Thread reader = Thread.ofVirtual().start(() -> tail.forEachRemaining(e -> seen.add(e.type())));
        memory.episodic().append(ns, Episodic.NewEvent.of("observation", "live"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (seen.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(seen).containsExactly("tool_call", "observation");
        tail.close();
        reader.join(10_000);
        assertThat(reader.isAlive()).as("closing the subscription ends the blocked reader").isFalse();
        assertThat(tail.hasNext()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mem", "pg"})
    void semantic(String backend) {
        String ns = ns("notes", backend);
        var up = memory.semantic().upsert(ns, List.of(Semantic.Record.of("f1", "Paris is the capital of France")
                .withMetadata(Map.of("topic", "geo", "year", "2024")), Semantic.Record.of("f2", "Revenue grew")
                .withMetadata(Map.of("topic", "money", "year", "2019"))));
        assertThat(up).extracting(Semantic.Upserted::id).containsExactly("f1", "f2");
        var hits = memory.semantic().search(ns, Semantic.Query.text("Paris is the capital of France").withTopK(1));
        assertThat(hits).extracting(h -> h.record().id()).containsExactly("f1");
        assertThat(memory.semantic().search(ns, Semantic.Query.text("anything")
                .withPredicates(List.of(Semantic.Predicate.gte("year", "2020"))))).extracting(h -> h.record().id()).containsExactly("f1");
        assertThat(memory.semantic().get(ns, "f2").orElseThrow().metadata()).containsEntry("topic", "money");
        assertThatThrownBy(() -> memory.semantic().upsert(ns, List.of(Semantic.Record.of("f1", "x").withIfVersion(7))))
                .isInstanceOf(VersionMismatchException.class);
        assertThat(memory.semantic().delete(ns, "f2", true)).isTrue();
        assertThat(memory.semantic().get(ns, "f2")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mem", "pg"})
    void artifactsThroughStreams(String backend) throws Exception {
        String ns = ns("blobs", backend);
        byte[] data = new byte[1024 * 1024 + 5];
        new Random(3).nextBytes(data);
        Artifacts.Ref ref = memory.artifact().put(ns, "doc", new ByteArrayInputStream(data),
                Artifacts.PutOptions.contentType("application/octet-stream").withMetadata(Map.of("kind", "test")));
        assertThat(ref.size()).isEqualTo(data.length);
        try (var in = memory.artifact().get(ns, "doc")) {
            assertThat(in.info().sha256()).isEqualTo(ref.sha256());
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        try (var in = memory.artifact().get(ns, "doc", 100, 50)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(data, 100, 150));
        }
        try (var upload = memory.artifact().upload(ns, "written", Artifacts.PutOptions.NONE)) {
            upload.write("hello ".getBytes(StandardCharsets.UTF_8));
            upload.write("world".getBytes(StandardCharsets.UTF_8));
            upload.close();
            assertThat(upload.ref().size()).isEqualTo(11);
        }
        assertThat(memory.artifact().stat(ns, "doc").orElseThrow().metadata()).containsEntry("kind", "test");
        try (var listed = memory.artifact().list(ns, Map.of(), "", 0)) {
            assertThat(listed.map(Artifacts.Info::id)).containsExactly("doc", "written");
        }
        assertThatThrownBy(() -> memory.artifact().put(ns, "bad", new ByteArrayInputStream(data),
                Artifacts.PutOptions.NONE.withExpected(data.length + 1, ""))).isInstanceOf(InvalidArgumentException.class);
        assertThat(memory.artifact().stat(ns, "bad")).as("a refused upload stores nothing").isEmpty();
        assertThat(memory.artifact().delete(ns, "doc")).isTrue();
        assertThatThrownBy(() -> memory.artifact().get(ns, "doc")).isInstanceOf(NotFoundException.class);
        assertThat(memory.artifact().stat(ns, "doc")).isEmpty();
    }

    /** Uploads go in 1 MiB messages; a sidecar that takes smaller ones is reached with a smaller chunk. */
    @Test
    void uploadChunksFitASidecarWithSmallerMessages() throws Exception {
        byte[] data = new byte[1024 * 1024];
        new Random(5).nextBytes(data);
        try (var small = new TestServer("""
                limits: { max_message_bytes: 512KiB }
                backends:
                  - { name: mem, driver: memory }
                namespaces:
                  - { block: artifact, name: blobs, backend: mem }
                """, "");
             var defaults = MemSidecar.connect("127.0.0.1:" + small.port(), small.fullToken());
             var fitted = MemSidecar.builder().target("127.0.0.1:" + small.port()).token(small.fullToken())
                     .uploadChunkBytes(256 * 1024).build()) {
            assertThatThrownBy(() -> defaults.artifact().put("blobs", "doc", new ByteArrayInputStream(data),
                    Artifacts.PutOptions.NONE)).isInstanceOf(ResourceExhaustedException.class);
            assertThat(fitted.artifact().put("blobs", "doc", new ByteArrayInputStream(data), Artifacts.PutOptions.NONE).size())
                    .isEqualTo(data.length);
            try (var in = fitted.artifact().get("blobs", "doc")) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
        }
        assertThatThrownBy(() -> MemSidecar.builder().uploadChunkBytes(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** 256 MiB up and down through the SDK's streams in a JVM whose whole heap is 64 MiB. */
    @Test
    void aLargeArtifactWithASmallHeap() throws Exception {
        var pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx64m", "-cp",
                System.getProperty("java.class.path"), SdkLargeArtifact.class.getName(), String.valueOf(server.port()),
                server.fullToken(), ns("blobs", "mem"), String.valueOf(256L << 20)).redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("OK 268435456");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mem", "pg"})
    void leasesRenewThemselvesUntilClosed(String backend) throws Exception {
        String ns = ns("locks", backend);
        Leases.Lease lease = memory.lease().acquire(ns, "job", Duration.ofSeconds(1));
        long fence = lease.fencingToken();
        Thread.sleep(2500);
        Leases.Info held = memory.lease().inspect(ns, "job").orElseThrow();
        assertThat(held.holderId()).as("renewed in the background past its 1 s TTL").isEqualTo(lease.holderId());
        assertThat(lease.lost()).isEmpty();
        assertThatThrownBy(() -> memory.lease().acquire(ns, "job", Duration.ofSeconds(1)))
                .isInstanceOf(PreconditionFailedException.class);
        assertThat(memory.lease().list(ns)).extracting(Leases.Info::key).containsExactly("job");
        lease.close();
        assertThat(memory.lease().inspect(ns, "job")).isEmpty();
        try (Leases.Lease next = memory.lease().acquire(ns, "job", Duration.ofSeconds(5), Duration.ofSeconds(1), Map.of("who", "b"))) {
            assertThat(next.fencingToken()).isGreaterThan(fence);
            assertThat(next.info().metadata()).containsEntry("who", "b");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mem", "pg"})
    void graph(String backend) {
        String ns = ns("world", backend);
        memory.graph().upsertNodes(ns, List.of(Graph.Node.of("paris", "City").withProps(Map.of("pop", "2.1M")),
                Graph.Node.of("france", "Country")));
        memory.graph().upsertEdges(ns, List.of(Graph.Edge.of("e1", "CAPITAL_OF", "paris", "france")));
        assertThat(memory.graph().getNode(ns, "paris").orElseThrow().props()).containsEntry("pop", "2.1M");
        assertThat(memory.graph().getNode(ns, "atlantis")).isEmpty();
        var n = memory.graph().neighbors(ns, "paris", Graph.Walk.ALL.withTypes("CAPITAL_OF").withWay(Graph.Way.OUT));
        assertThat(n.nodes()).extracting(Graph.Node::id).containsExactly("france");
        assertThat(memory.graph().traverse(ns, "france", Graph.Walk.ALL.withDepth(2, 10)).edges()).extracting(Graph.Edge::id)
                .containsExactly("e1");
        assertThatThrownBy(() -> memory.graph().neighbors(ns, "atlantis", Graph.Walk.ALL)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> memory.graph().deleteNode(ns, "paris", false)).isInstanceOf(PreconditionFailedException.class);
        assertThat(memory.graph().deleteNode(ns, "paris", true)).isTrue();
        assertThat(memory.graph().deleteEdge(ns, "e1")).isFalse();
        assertThat(memory.graph().getNode(ns, "paris")).isEqualTo(Optional.empty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"mem", "pg"})
    void recall(String backend) {
        String notes = ns("notes", backend);
        String g = ns("world", backend);
        String run = Long.toHexString(System.nanoTime());
        float[] q = new float[16];
        q[0] = 1;
        float[] near = q.clone();
        near[1] = 0.3f;
        float[] far = new float[16];
        far[3] = 1;
        far[0] = 0.1f;
        memory.semantic().upsert(notes, List.of(Semantic.Record.of(run + "-near", "close in vector").withVector(near),
                Semantic.Record.of(run + "-acme", "the employer").withVector(far)));
        memory.graph().upsertNodes(g, List.of(Graph.Node.of(run + "-alice"), Graph.Node.of(run + "-bob"),
                Graph.Node.of(run + "-acme")));
        memory.graph().upsertEdges(g, List.of(Graph.Edge.of(run + "-e1", "knows", run + "-alice", run + "-bob"),
                Graph.Edge.of(run + "-e2", "works_at", run + "-bob", run + "-acme")));
        var result = memory.recall().recall(Recall.Query.vector(notes, q).withGraph(g, run + "-alice").withDepth(2)
                .withEdges(Graph.Way.OUT, "knows", "works_at").explained().withSubgraph());
        // acme: graph rank 1 (1/61) and a dense rank; near: a dense rank (1/61 at best: acme wins the tie by id)
        List<String> ids = result.hits().stream().map(h -> h.record().id()).toList();
        assertThat(ids).startsWith(run + "-acme").contains(run + "-near");
        Recall.Evidence why = result.hits().getFirst().evidence().orElseThrow();
        assertThat(why.pathNodeIds()).containsExactly(run + "-alice", run + "-bob", run + "-acme");
        assertThat(why.pathEdges()).extracting(Graph.Edge::type).containsExactly("knows", "works_at");
        assertThat(why.lane(Recall.Lane.GRAPH).orElseThrow().rank()).isEqualTo(1);
        assertThat(result.subgraph().orElseThrow().edges()).extracting(Graph.Edge::id).containsExactlyInAnyOrder(run + "-e1",
                run + "-e2");
        var plain = memory.recall().recall(Recall.Query.vector(notes, q).withWeights(Recall.Weights.DEFAULT.graph(0)));
        assertThat(plain.hits().getFirst().evidence()).isEmpty();
        assertThat(plain.subgraph()).isEmpty();
        assertThatThrownBy(() -> memory.recall().recall(Recall.Query.vector(notes, q).withGraph(g, "x").withDepth(3)))
                .isInstanceOf(InvalidArgumentException.class);
    }
}
