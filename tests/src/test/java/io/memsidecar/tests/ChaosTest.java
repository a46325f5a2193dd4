package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.memsidecar.client.MemSidecar;
import io.memsidecar.client.MemSidecarException;
import io.memsidecar.proto.episodic.v1.AppendRequest;
import io.memsidecar.proto.episodic.v1.EpisodicGrpc;
import io.memsidecar.proto.episodic.v1.Event;
import io.memsidecar.proto.episodic.v1.RangeRequest;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.KVGrpc;
import io.memsidecar.proto.kv.v1.PutRequest;
import io.memsidecar.proto.lease.v1.AcquireRequest;
import io.memsidecar.proto.lease.v1.LeaseGrpc;
import io.memsidecar.proto.lease.v1.ReleaseRequest;
import io.memsidecar.proto.lease.v1.RenewRequest;
import io.memsidecar.tokens.CapabilityTokens;
import io.memsidecar.tokens.Ed25519Keys;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jepsen-style: three sidecar processes on one PostgreSQL and one S3 store, a dozen clients doing KV
 * compare-and-set increments, appends with dedup keys, leases with fencing tokens and artifact puts,
 * while PostgreSQL is restarted (fast and immediate), the S3 store restarted and sidecars SIGKILLed
 * and started again. Then the histories are checked, not just survival: the KV history is judged
 * linearizable by Porcupine (tests/chaos, Go), counters equal their acknowledged increments (give or
 * take the increments whose outcome is unknown), the log holds every acknowledged event once with
 * gap-free cursors, fencing tokens increase and no two holders overlap, every acknowledged artifact
 * reads back with its SHA-256, and every failed call failed UNAVAILABLE, DEADLINE_EXCEEDED or ABORTED.
 */
class ChaosTest {
    private static final Duration RUN = Duration.ofSeconds(Long.getLong("memsidecar.chaos.seconds", 60));
    private static final int CLIENTS = 12;
    private static final int SIDECARS = 3;
    private static final List<String> COUNTERS = List.of("c0", "c1", "c2", "c3");
    private static final List<String> LOCKS = List.of("l0", "l1");
    private static final Duration LEASE_TTL = Duration.ofSeconds(2);
    /** Codes a call may fail with under these faults; anything else is a defect. */
    private static final Set<Status.Code> EXPECTED = Set.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED,
            Status.Code.ABORTED);

    @TempDir
    Path dir;

    private final long t0 = System.nanoTime();
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<Map<String, Object>> kvHistory = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Long> appended = new ConcurrentHashMap<>();
    private final List<Hold> holds = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> artifacts = new ConcurrentHashMap<>();
    /** What went wrong inside a client: a violation seen at once, or an unexpected exception. */
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());

    /** A lease held from {@code ack} until {@code end} as its holder may believe: its release call, or its TTL. */
    private record Hold(String key, long token, long ack, long end) {
    }

    @Test
    void historiesStayCorrectWhileTheBackendsRestartAndSidecarsAreKilled() throws Exception {
        String[] keys = Ed25519Keys.generateHex();
        String token = CapabilityTokens.paseto(Ed25519Keys.privateKey(keys[0]), new CapabilityTokens.Grant("acme", "chaos",
                List.of("*"), List.of("*"), Duration.ofHours(1), ""), Instant.now());
        try (var pg = new PrivatePostgres(); var s3 = new S3Store()) {
            int[] ports = new int[SIDECARS];
            Path[] configs = new Path[SIDECARS];
            for (int i = 0; i < SIDECARS; i++) {
                ports[i] = freePort();
                configs[i] = dir.resolve("sidecar" + i + ".yaml");
                Files.writeString(configs[i], """
                        server:
                          grpc: { tcp: "127.0.0.1:%d" }
                          request_timeout: 5s
                          shutdown_timeout: 2s
                        auth: { paseto: { public_key_hexes: ["%s"] } }
                        backends:
                          - { name: pg, driver: postgres, options: { dsn: "%s", max_conns: 8, connect_timeout: 2s } }
                          - name: s3
                            driver: s3
                            options: { endpoint: "127.0.0.1:%d", bucket: chaos, access_key: chaos, secret_key: chaos-secret }
                        namespaces:
                          - { block: kv, name: counters, backend: pg }
                          - { block: episodic, name: log, backend: pg }
                          - { block: lease, name: locks, backend: pg }
                          - { block: artifact, name: blobs, backend: s3 }
                        """.formatted(ports[i], keys[1], pg.dsn(), s3.port));
            }
            var sidecars = new AtomicReferenceArray<ServerProcess>(SIDECARS);
            for (int i = 0; i < SIDECARS; i++) {
                sidecars.set(i, ServerProcess.start(Map.of("JAVA_OPTS", "-Xmx256m"), "--config", configs[i].toString()));
            }
            var channels = new ArrayList<ManagedChannel>();
            var sdks = new ArrayList<MemSidecar>();
            for (int port : ports) {
                channels.add(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
                sdks.add(MemSidecar.builder().target("127.0.0.1:" + port).token(token).maxAttempts(1)
                        .deadline(Duration.ofSeconds(10)).build());
            }
            long end = System.nanoTime() + RUN.toNanos();
            var faults = new ArrayList<String>();
            try {
                var workers = new ArrayList<Thread>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    workers.add(Thread.ofVirtual().name("chaos-client-" + c).start(() -> work(client, end, channels, sdks, token)));
                }
                injectFaults(end, pg, s3, sidecars, configs, faults);
                for (Thread w : workers) {
                    assertThat(w.join(Duration.ofSeconds(90))).as("client %s finished", w.getName()).isTrue();
                }
                // everything back up for the checks
                for (int i = 0; i < SIDECARS; i++) {
                    if (!sidecars.get(i).process.isAlive()) {
                        sidecars.set(i, ServerProcess.start(Map.of(), "--config", configs[i].toString()));
                    }
                }
                verify(channels.get(0), sdks.get(0), token);
            } finally {
                sdks.forEach(MemSidecar::close);
                channels.forEach(ManagedChannel::shutdownNow);
                for (int i = 0; i < SIDECARS; i++) {
                    sidecars.get(i).close();
                }
            }
            System.out.printf("chaos: %s operations %s; faults injected %d %s; failed calls by code %s; KV history %d operations,"
                            + " %d events, %d lease holds, %d artifacts checked%n", total(counts), counts, faults.size(), faults,
                    failures, kvHistory.size(), appended.size(), holds.size(), artifacts.size());
            assertThat(faults).as("faults were injected").hasSizeGreaterThanOrEqualTo(4);
        }
    }

    // ---- the clients ----

    private void work(int client, long end, List<ManagedChannel> channels, List<MemSidecar> sdks, String token) {
        var random = new Random(client);
        int seq = 0;
        while (System.nanoTime() < end) {
            int s = random.nextInt(SIDECARS);
            var ch = CapabilityHeader.attach(channels.get(s), token);
            int dice = random.nextInt(100);
            try {
                if (dice < 45) {
                    increment(client, ch, COUNTERS.get(random.nextInt(COUNTERS.size())));
                } else if (dice < 70) {
                    append(client, seq++, end, channels, token, random);
                } else if (dice < 85) {
                    lease(ch, LOCKS.get(random.nextInt(LOCKS.size())), random);
                } else {
                    artifact(client, seq++, sdks.get(s), random);
                }
            } catch (StatusRuntimeException e) {
                failed(e.getStatus().getCode());
                pause(100);
            } catch (MemSidecarException e) {
                failed(e.code());
                pause(100);
            } catch (RuntimeException | AssertionError e) {
                errors.add("client " + client + ": " + e);
                return;
            }
        }
    }

    private void failed(Status.Code code) {
        failures.computeIfAbsent(code.name(), k -> new AtomicInteger()).incrementAndGet();
    }

    private void count(String op) {
        counts.computeIfAbsent(op, k -> new AtomicInteger()).incrementAndGet();
    }

    private long now() {
        return System.nanoTime() - t0;
    }

    /** Get, then a Put if_version: each recorded for Porcupine with its call and return times. */
    private void increment(int client, io.grpc.Channel ch, String key) {
        var kv = KVGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS);
        long call = now();
        io.memsidecar.proto.kv.v1.GetResponse got;
        got = kv.get(GetRequest.newBuilder().setNamespace("counters").setKey(key).build()); // a failed read changes nothing
        long version = got.getFound() ? got.getVersion() : 0;
        String value = got.getFound() ? got.getValue().toStringUtf8() : "";
        record(client, key, "get", 0, value, "ok", version, call, now());
        count("kv.get");
        String next = String.valueOf((value.isEmpty() ? 0 : Long.parseLong(value)) + 1);
        call = now();
        try {
            long v = kv.withDeadlineAfter(5, TimeUnit.SECONDS).put(PutRequest.newBuilder().setNamespace("counters").setKey(key)
                    .setValue(ByteString.copyFromUtf8(next)).setIfVersion(version).build()).getVersion();
            record(client, key, "cas", version, next, "ok", v, call, now());
            count("kv.cas");
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
                record(client, key, "cas", version, next, "mismatch", 0, call, now());
                count("kv.cas-refused");
                return;
            }
            record(client, key, "cas", version, next, "unknown", 0, call, Long.MAX_VALUE);
            throw e;
        }
    }

    private void record(int client, String key, String kind, long ifVersion, String value, String outcome, long version,
                        long call, long ret) {
        var op = new LinkedHashMap<String, Object>();
        op.put("client", client);
        op.put("key", key);
        op.put("kind", kind);
        op.put("ifVersion", ifVersion);
        op.put("value", value);
        op.put("outcome", outcome);
        op.put("version", version);
        op.put("call", call);
        op.put("ret", ret);
        kvHistory.add(op);
    }

    /** An append with a dedup key, retried with the same key (on any sidecar) until acknowledged or the run ends. */
    private void append(int client, int seq, long end, List<ManagedChannel> channels, String token, Random random) {
        String dedup = "w" + client + "-" + seq;
        var request = AppendRequest.newBuilder().setNamespace("log").setType("chaos").setDedupKey(dedup)
                .setPayload(ByteString.copyFromUtf8(dedup)).build();
        while (true) {
            var ch = CapabilityHeader.attach(channels.get(random.nextInt(SIDECARS)), token);
            try {
                Event e = EpisodicGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS).append(request).getEvent();
                Long before = appended.putIfAbsent(dedup, e.getCursor());
                if (before != null && before != e.getCursor()) {
                    errors.add("dedup key " + dedup + " acknowledged at cursors " + before + " and " + e.getCursor());
                }
                count("episodic.append");
                return;
            } catch (StatusRuntimeException e) {
                failed(e.getStatus().getCode());
                if (System.nanoTime() > end + TimeUnit.SECONDS.toNanos(30)) {
                    throw e;
                }
                pause(200);
            }
        }
    }

    /** Acquire (waiting up to 1 s), maybe renew, release; the hold as its holder may believe it. */
    private void lease(io.grpc.Channel ch, String key, Random random) {
        var leases = LeaseGrpc.newBlockingStub(ch);
        long call = now();
        io.memsidecar.proto.lease.v1.LeaseHandle handle;
        try {
            handle = leases.withDeadlineAfter(5, TimeUnit.SECONDS).acquire(AcquireRequest.newBuilder().setNamespace("locks")
                    .setKey(key).setTtl(proto(LEASE_TTL)).setWaitFor(proto(Duration.ofSeconds(1))).build()).getHandle();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) {
                throw e;
            }
            count("lease.busy"); // held by another for the whole wait
            return;
        }
        long ack = now();
        long validUntil = call + LEASE_TTL.toNanos();
        count("lease.acquire");
        try {
            pause(20 + random.nextInt(150));
            if (random.nextBoolean()) {
                long renewCall = now();
                try {
                    leases.withDeadlineAfter(5, TimeUnit.SECONDS).renew(RenewRequest.newBuilder().setNamespace("locks").setKey(key)
                            .setHolderId(handle.getHolderId()).setTtl(proto(LEASE_TTL)).build());
                    validUntil = Math.max(validUntil, renewCall + LEASE_TTL.toNanos());
                    count("lease.renew");
                } catch (StatusRuntimeException e) {
                    if (EXPECTED.contains(e.getStatus().getCode())) {
                        throw e;
                    }
                    count("lease.renew-expired"); // its TTL ran out while a fault held the holder up: it stops here
                }
                pause(20 + random.nextInt(100));
            }
        } finally {
            long release = now();
            holds.add(new Hold(key, handle.getFencingToken(), ack, Math.min(release, validUntil)));
            try {
                leases.withDeadlineAfter(5, TimeUnit.SECONDS).release(ReleaseRequest.newBuilder().setNamespace("locks").setKey(key)
                        .setHolderId(handle.getHolderId()).build());
                count("lease.release");
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) {
                    failed(e.getStatus().getCode()); // an outage: the lease runs out by its TTL
                } else if (now() >= validUntil) {
                    count("lease.release-expired"); // not held any more: its TTL ran out before the release arrived
                } else {
                    errors.add("lease " + key + " (fencing token " + handle.getFencingToken() + ") was not held at its"
                            + " release, before its TTL could have run out");
                }
            }
        }
    }

    private void artifact(int client, int seq, MemSidecar sdk, Random random) {
        byte[] bytes = new byte[1024 + random.nextInt(200 * 1024)];
        random.nextBytes(bytes);
        String id = "a" + client + "-" + seq;
        try {
            var ref = sdk.artifact().put("blobs", id, new ByteArrayInputStream(bytes),
                    io.memsidecar.client.Artifacts.PutOptions.NONE);
            assertThat(ref.sha256()).isEqualTo(sha256(bytes));
            artifacts.put(id, ref.sha256());
            count("artifact.put");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the faults ----

    private void injectFaults(long end, PrivatePostgres pg, S3Store s3, AtomicReferenceArray<ServerProcess> sidecars,
                              Path[] configs, List<String> faults) throws Exception {
        var random = new Random(42);
        String[] kinds = {"pg-restart-fast", "sidecar-kill", "pg-restart-immediate", "s3-restart", "sidecar-kill"};
        int next = 0;
        while (System.nanoTime() < end - TimeUnit.SECONDS.toNanos(8)) {
            pause(2000 + random.nextInt(2000));
            String kind = kinds[next++ % kinds.length];
            switch (kind) {
                case "pg-restart-fast" -> {
                    pg.stop("fast");
                    pause(1000 + random.nextInt(2000));
                    pg.start();
                }
                case "pg-restart-immediate" -> {
                    pg.stop("immediate");
                    pause(500 + random.nextInt(1500));
                    pg.start();
                }
                case "s3-restart" -> s3.restart(Duration.ofMillis(1000 + random.nextInt(2000)));
                default -> {
                    int victim = random.nextInt(SIDECARS);
                    sidecars.get(victim).kill();
                    pause(500);
                    sidecars.set(victim, ServerProcess.start(Map.of("JAVA_OPTS", "-Xmx256m"), "--config", configs[victim].toString()));
                    kind += "-" + victim;
                }
            }
            faults.add(kind);
        }
    }

    // ---- the checks ----

    private void verify(ManagedChannel channel, MemSidecar sdk, String token) throws Exception {
        var ch = CapabilityHeader.attach(channel, token);
        var kv = KVGrpc.newBlockingStub(ch);
        // every acknowledged increment is there, and no more than the ones that may have been applied
        for (String key : COUNTERS) {
            var got = kv.withDeadlineAfter(10, TimeUnit.SECONDS).get(GetRequest.newBuilder().setNamespace("counters").setKey(key).build());
            long value = got.getFound() ? Long.parseLong(got.getValue().toStringUtf8()) : 0;
            long acked;
            long unknown;
            synchronized (kvHistory) {
                acked = kvHistory.stream().filter(o -> o.get("key").equals(key) && o.get("kind").equals("cas")
                        && o.get("outcome").equals("ok")).count();
                unknown = kvHistory.stream().filter(o -> o.get("key").equals(key) && o.get("kind").equals("cas")
                        && o.get("outcome").equals("unknown")).count();
            }
            assertThat(value).as("counter %s: %d acknowledged increments, %d unknown", key, acked, unknown)
                    .isBetween(acked, acked + unknown);
            record(-1, key, "get", 0, got.getFound() ? got.getValue().toStringUtf8() : "", "ok",
                    got.getFound() ? got.getVersion() : 0, now(), now());
        }
        checkLinearizable();

        // the log: every acknowledged event once, at its cursor; cursors gap-free; dedup keys unique
        var events = new ArrayList<Event>();
        long after = 0;
        while (true) {
            var page = EpisodicGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS).range(RangeRequest.newBuilder()
                    .setNamespace("log").setAfterCursor(after).setLimit(1000).build());
            int n = 0;
            while (page.hasNext()) {
                Event e = page.next();
                events.add(e);
                after = e.getCursor();
                n++;
            }
            if (n < 1000) {
                break;
            }
        }
        var byDedup = new java.util.HashMap<String, Long>();
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).getCursor()).as("cursors are gap-free").isEqualTo(i + 1L);
            assertThat(byDedup.put(events.get(i).getPayload().toStringUtf8(), events.get(i).getCursor()))
                    .as("dedup key %s appended once", events.get(i).getPayload().toStringUtf8()).isNull();
        }
        appended.forEach((dedup, cursor) -> assertThat(byDedup.get(dedup)).as("acknowledged event %s", dedup).isEqualTo(cursor));

        // leases: per key, in fencing-token order, each hold ends before the next one is acknowledged
        for (String key : LOCKS) {
            List<Hold> ordered;
            synchronized (holds) {
                ordered = holds.stream().filter(h -> h.key().equals(key)).sorted(java.util.Comparator.comparingLong(Hold::token))
                        .toList();
            }
            long latestEnd = Long.MIN_VALUE;
            long lastToken = 0;
            for (Hold h : ordered) {
                assertThat(h.token()).as("fencing tokens of %s strictly increase", key).isGreaterThan(lastToken);
                assertThat(h.ack()).as("holder of %s (token %d) acknowledged after every earlier holder's hold ended", key, h.token())
                        .isGreaterThanOrEqualTo(latestEnd);
                latestEnd = Math.max(latestEnd, h.end());
                lastToken = h.token();
            }
        }

        // artifacts: every acknowledged one reads back with its SHA-256
        for (var e : artifacts.entrySet()) {
            try (var in = sdk.artifact().get("blobs", e.getKey())) {
                assertThat(sha256(in.readAllBytes())).as("artifact %s", e.getKey()).isEqualTo(e.getValue());
            }
        }

        assertThat(errors).as("no violation or unexpected error inside a client").isEmpty();
        assertThat(failures.keySet()).as("calls failed only with %s", EXPECTED)
                .allSatisfy(code -> assertThat(EXPECTED).contains(Status.Code.valueOf(code)));
    }

    /** Porcupine (tests/chaos) over the KV history: exit 0 is linearizable. */
    private void checkLinearizable() throws Exception {
        Path history = dir.resolve("kv-history.json");
        long last = now();
        synchronized (kvHistory) {
            for (var op : kvHistory) {
                if ((long) op.get("ret") == Long.MAX_VALUE) {
                    op.put("ret", last + 1); // an unknown outcome may take effect any time until the end
                }
            }
            new ObjectMapper().writeValue(history.toFile(), kvHistory);
        }
        assertThat(porcupine(history)).as("Porcupine judges the KV history linearizable").startsWith("porcupine:").contains(": Ok");
    }

    /** A history Porcupine has to refuse: a read of the value before an acknowledged write that preceded it. */
    @Test
    void theCheckerRefusesAStaleRead() throws Exception {
        Path history = dir.resolve("stale.json");
        Files.writeString(history, """
                [{"client":0,"key":"c","kind":"cas","ifVersion":0,"value":"1","outcome":"ok","version":1,"call":0,"ret":10},
                 {"client":1,"key":"c","kind":"get","ifVersion":0,"value":"","outcome":"ok","version":0,"call":20,"ret":30}]
                """);
        assertThat(porcupine(history)).contains(": Illegal");
    }

    /** Runs tests/chaos (Go, Porcupine) over {@code history}; its output, or a failure when it could not judge. */
    private static String porcupine(Path history) throws Exception {
        Process p = new ProcessBuilder("go", "run", ".", history.toString()).directory(Path.of("chaos").toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        int rc = p.waitFor();
        assertThat(rc).as("porcupine judged the history (0 linearizable, 1 not): %s", out).isIn(0, 1);
        return out.lines().filter(l -> l.startsWith("porcupine:")).findFirst().orElse(out);
    }

    // ---- helpers ----

    private static long total(Map<String, AtomicInteger> counts) {
        return counts.values().stream().mapToLong(AtomicInteger::get).sum();
    }

    private static com.google.protobuf.Duration proto(Duration d) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(d.toSeconds()).setNanos(d.toNanosPart()).build();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws java.io.IOException {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** s3proxy on a fixed port over an in-memory store that outlives its restarts, as a durable store's data does. */
    private static final class S3Store implements AutoCloseable {
        final int port;
        private final BlobStoreContext context;
        private S3Proxy proxy;

        S3Store() throws Exception {
            this.port = freePort();
            this.context = ContextBuilder.newBuilder("transient").credentials("chaos", "chaos-secret")
                    .build(BlobStoreContext.class);
            context.getBlobStore().createContainerInLocation(null, "chaos");
            start();
        }

        private void start() throws Exception {
            proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:" + port))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "chaos", "chaos-secret").build();
            proxy.start();
            while (!proxy.getState().equals(AbstractLifeCycle.STARTED)) {
                Thread.sleep(10);
            }
        }

        void restart(Duration down) throws Exception {
            proxy.stop();
            pause(down.toMillis());
            start();
        }

        @Override
        public void close() throws Exception {
            proxy.stop();
            context.close();
        }
    }
}
