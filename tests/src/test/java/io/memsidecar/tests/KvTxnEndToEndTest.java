package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.client.MemSidecar;
import io.memsidecar.client.MemSidecarException;
import io.memsidecar.driver.postgres.TestDatabase;
import io.memsidecar.tokens.CapabilityTokens;
import io.memsidecar.tokens.Ed25519Keys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KV.Txn through the server: the gateway route, its limits and refusals, the scopes it needs, an
 * encrypted namespace; and the bank (Jepsen's workload) across three sidecar processes on one
 * PostgreSQL while one of them is SIGKILLed and started again.
 */
class KvTxnEndToEndTest {
    @TempDir
    Path dir;

    private static HttpResponse<String> txn(int port, String token, String json) throws Exception {
        try (var http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/memsidecar.kv.v1.KV/Txn"))
                    .header("x-memsidecar-capability", "Bearer " + token).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void gatewayLimitsScopesAndEncryption() throws Exception {
        Path key = dir.resolve("k1.key");
        Files.writeString(key, HexFormat.of().formatHex(new byte[32]).replace('0', '5'));
        try (var server = new TestServer("""
                encryption:
                  keys: [ { id: k1, secret_file: "%s" } ]
                limits: { max_txn_ops: 4 }
                backends: [ { name: mem, driver: memory } ]
                namespaces:
                  - { block: kv, name: tasks, backend: mem, max_items: 3 }
                  - { block: kv, name: vault, backend: mem, encrypt: true }
                """.formatted(key), "")) {
            String token = server.fullToken();
            int port = server.port();
            // claim a task only if it is unowned, and record the owner in the same call
            var claimed = txn(port, token, """
                    {"namespace":"tasks","compare":[{"key":"task:7","absent":true}],
                     "success":[{"put":{"key":"task:7","value":"YWdlbnQtYQ==","ttl":"60s"}},{"put":{"key":"owner:agent-a","value":"Nw=="}}],
                     "failure":[{"get":{"key":"task:7"}}]}""");
            assertThat(claimed.statusCode()).as(claimed.body()).isEqualTo(200);
            var json = Json.parse(claimed.body());
            assertThat(json.get("succeeded").asBoolean()).isTrue();
            assertThat(json.get("results").get(0).get("put").get("version").asText()).isEqualTo("1");
            assertThat(json.get("results").get(0).get("put").has("expiresAt")).isTrue();
            var again = Json.parse(txn(port, token, """
                    {"namespace":"tasks","compare":[{"key":"task:7","absent":true}],
                     "success":[{"put":{"key":"task:7","value":"YWdlbnQtYg=="}}],"failure":[{"get":{"key":"task:7"}}]}""").body());
            assertThat(again.get("succeeded").asBoolean()).isFalse();
            assertThat(Json.parse(txn(port, token, """
                    {"namespace":"tasks","compare":[{"key":"task:7","absent":false},{"key":"task:8","present":false}]}""")
                    .body()).get("succeeded").asBoolean()).as("absent: false is present, present: false absent").isTrue();
            assertThat(again.get("failedCompares").get(0).asInt()).isZero();
            assertThat(again.get("results").get(0).get("get").get("value").asText()).isEqualTo("YWdlbnQtYQ==");
            // the quota counts inside the transaction: two keys live, max_items 3, two more refused and neither written
            var over = txn(port, token, """
                    {"namespace":"tasks","success":[{"put":{"key":"x","value":"MQ=="}},{"put":{"key":"y","value":"MQ=="}}]}""");
            assertThat(over.statusCode()).as(over.body()).isEqualTo(429);
            assertThat(txn(port, token, """
                    {"namespace":"tasks","success":[{"get":{"key":"x"}}]}""").body()).contains("\"found\":false");
            // limits and malformed transactions
            var tooMany = txn(port, token, """
                    {"namespace":"tasks","compare":[{"key":"a","present":true},{"key":"b","present":true}],
                     "success":[{"get":{"key":"a"}},{"get":{"key":"b"}}],"failure":[{"get":{"key":"c"}}]}""");
            assertThat(tooMany.statusCode()).isEqualTo(413);
            assertThat(tooMany.body()).contains("limits.max_txn_ops");
            var twice = txn(port, token, """
                    {"namespace":"tasks","success":[{"put":{"key":"a","value":"MQ=="}},{"delete":{"key":"a"}}]}""");
            assertThat(twice.statusCode()).isEqualTo(400);
            assertThat(twice.body()).contains("appears twice");
            assertThat(txn(port, token, """
                    {"namespace":"tasks","compare":[{"key":"a"}]}""").statusCode()).isEqualTo(400);
            assertThat(txn(port, token, """
                    {"namespace":"tasks","success":[{}]}""").statusCode()).isEqualTo(400);
            // scopes: kv.txn, and the get/put/delete of what it does
            String getOnly = server.token(List.of("kv/tasks"), List.of("kv.txn", "kv.get"));
            assertThat(txn(port, getOnly, """
                    {"namespace":"tasks","compare":[{"key":"task:7","present":true}],"success":[{"get":{"key":"task:7"}}]}""")
                    .statusCode()).isEqualTo(200);
            assertThat(txn(port, getOnly, """
                    {"namespace":"tasks","success":[{"delete":{"key":"task:7"}}]}""").statusCode()).isEqualTo(403);
            String noTxn = server.token(List.of("kv/tasks"), List.of("kv.get", "kv.put", "kv.delete"));
            assertThat(txn(port, noTxn, """
                    {"namespace":"tasks","success":[{"get":{"key":"task:7"}}]}""").statusCode()).isEqualTo(403);
            // an encrypted namespace: puts sealed and gets opened as single-key calls; no compare by value
            var sealed = Json.parse(txn(port, token, """
                    {"namespace":"vault","success":[{"put":{"key":"s","value":"c2VjcmV0"}}]}""").body());
            assertThat(sealed.get("succeeded").asBoolean()).isTrue();
            var opened = Json.parse(txn(port, token, """
                    {"namespace":"vault","compare":[{"key":"s","version":"1"}],"success":[{"get":{"key":"s"}}]}""").body());
            assertThat(opened.get("results").get(0).get("get").get("value").asText()).isEqualTo("c2VjcmV0");
            var byValue = txn(port, token, """
                    {"namespace":"vault","compare":[{"key":"s","value":"c2VjcmV0"}],"success":[{"get":{"key":"s"}}]}""");
            assertThat(byValue.statusCode()).isEqualTo(400);
            assertThat(byValue.body()).contains("encrypted");
        }
    }

    private static final int SIDECARS = 3;
    private static final int ACCOUNTS = 8;
    private static final long INITIAL = 1000;

    private record Transfer(String id, int from, int to, long amount) {
    }

    /**
     * The bank across three sidecars on one PostgreSQL: transfers compare both accounts' versions
     * and put both balances plus a ledger entry; readers read every account in one transaction.
     * Every read sees the same total; at the end each account is its initial balance plus the
     * transfers whose ledger entry exists, every acknowledged transfer has one, and one whose
     * answer was lost (the sidecar SIGKILLed under it) is either wholly there or wholly absent.
     */
    @Test
    void bankAcrossThreeSidecarsWithOneKilled() throws Exception {
        String[] keys = Ed25519Keys.generateHex();
        String token = CapabilityTokens.paseto(Ed25519Keys.privateKey(keys[0]), new CapabilityTokens.Grant("bank", "bank",
                List.of("*"), List.of("*"), Duration.ofHours(1), ""), Instant.now());
        String ns = "bank-" + UUID.randomUUID().toString().substring(0, 8);
        Path[] configs = new Path[SIDECARS];
        var sidecars = new AtomicReferenceArray<ServerProcess>(SIDECARS);
        var clients = new ArrayList<MemSidecar>();
        try {
            for (int i = 0; i < SIDECARS; i++) {
                configs[i] = dir.resolve("sidecar" + i + ".yaml");
                Files.writeString(configs[i], """
                        server: { grpc: { tcp: "127.0.0.1:%d" }, shutdown_timeout: 1s }
                        auth: { paseto: { public_key_hexes: ["%s"] } }
                        backends: [ { name: pg, driver: postgres, options: { dsn: "%s", max_conns: 8 } } ]
                        namespaces: [ { block: kv, name: %s, backend: pg } ]
                        """.formatted(freePort(), keys[1], TestDatabase.url(), ns));
                sidecars.set(i, ServerProcess.start(Map.of("JAVA_OPTS", "-Xmx256m"), "--config", configs[i].toString()));
                clients.add(MemSidecar.builder().target("127.0.0.1:" + sidecars.get(i).port).token(token).maxAttempts(1)
                        .deadline(Duration.ofSeconds(10)).build());
            }
            var setup = clients.get(0).kv().txn(ns);
            for (int a = 0; a < ACCOUNTS; a++) {
                setup.ifAbsent("acct" + a).put("acct" + a, Long.toString(INITIAL));
            }
            assertThat(setup.commit().succeeded()).isTrue();

            var acknowledged = ConcurrentHashMap.<Transfer>newKeySet();
            var unknown = ConcurrentHashMap.<Transfer>newKeySet();
            var reads = new AtomicInteger();
            var refused = new AtomicInteger();
            var stop = new AtomicBoolean();
            var badReads = new ConcurrentHashMap<Long, Boolean>();
            var workers = new ArrayList<Thread>();
            for (int w = 0; w < 9; w++) {
                int worker = w;
                workers.add(Thread.ofVirtual().start(() -> {
                    var random = new Random(worker);
                    for (int n = 0; !stop.get(); n++) {
                        var kv = clients.get(random.nextInt(SIDECARS)).kv();
                        int from = random.nextInt(ACCOUNTS);
                        int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                        var t = new Transfer("w" + worker + "-" + n, from, to, 1 + random.nextInt(20));
                        io.memsidecar.client.Kv.Entry a;
                        io.memsidecar.client.Kv.Entry b;
                        try {
                            var got = kv.txn(ns).get("acct" + from).get("acct" + to).commit().results();
                            a = got.get(0).entry().orElseThrow();
                            b = got.get(1).entry().orElseThrow();
                        } catch (MemSidecarException e) {
                            continue; // that sidecar is down: nothing was written
                        }
                        long balance = Long.parseLong(a.text());
                        if (balance < t.amount()) {
                            continue;
                        }
                        try {
                            var done = kv.txn(ns).ifVersion(a.key(), a.version()).ifVersion(b.key(), b.version())
                                    .put(a.key(), Long.toString(balance - t.amount()))
                                    .put(b.key(), Long.toString(Long.parseLong(b.text()) + t.amount()))
                                    .put("ledger/" + t.id(), t.from() + " " + t.to() + " " + t.amount()).commit();
                            if (done.succeeded()) {
                                acknowledged.add(t);
                            } else {
                                refused.incrementAndGet();
                            }
                        } catch (MemSidecarException e) {
                            unknown.add(t); // the sidecar went away under it (or before it): it may or may not have run
                        }
                    }
                }));
            }
            for (int r = 0; r < 2; r++) {
                workers.add(Thread.ofVirtual().start(() -> {
                    var random = new Random();
                    while (!stop.get()) {
                        var txn = clients.get(random.nextInt(SIDECARS)).kv().txn(ns);
                        for (int a = 0; a < ACCOUNTS; a++) {
                            txn.get("acct" + a);
                        }
                        try {
                            long total = txn.commit().results().stream().mapToLong(o -> Long.parseLong(o.entry().orElseThrow().text()))
                                    .sum();
                            if (total != ACCOUNTS * INITIAL) {
                                badReads.put(total, true);
                            }
                            reads.incrementAndGet();
                        } catch (MemSidecarException e) {
                            // the sidecar is down
                        }
                    }
                }));
            }
            Thread.sleep(4000);
            sidecars.get(1).kill();
            Thread.sleep(1000);
            sidecars.set(1, ServerProcess.start(Map.of("JAVA_OPTS", "-Xmx256m"), "--config", configs[1].toString()));
            Thread.sleep(4000);
            stop.set(true);
            for (Thread t : workers) {
                t.join(Duration.ofSeconds(30));
            }
            assertThat(badReads).as("totals read in one transaction while transfers ran").isEmpty();

            var kv = clients.get(0).kv();
            var balances = new long[ACCOUNTS];
            var all = kv.txn(ns);
            for (int a = 0; a < ACCOUNTS; a++) {
                all.get("acct" + a);
            }
            var results = all.commit().results();
            for (int a = 0; a < ACCOUNTS; a++) {
                balances[a] = Long.parseLong(results.get(a).entry().orElseThrow().text());
            }
            var expected = new long[ACCOUNTS];
            java.util.Arrays.fill(expected, INITIAL);
            var applied = new ArrayList<Transfer>(acknowledged);
            for (Transfer t : unknown) {
                if (kv.get(ns, "ledger/" + t.id()).isPresent()) {
                    applied.add(t);
                }
            }
            for (Transfer t : acknowledged) {
                assertThat(kv.get(ns, "ledger/" + t.id())).as("acknowledged transfer %s", t.id()).isPresent();
            }
            for (Transfer t : applied) {
                expected[t.from()] -= t.amount();
                expected[t.to()] += t.amount();
            }
            assertThat(balances).as("every applied transfer exactly once").containsExactly(expected);
            assertThat(java.util.Arrays.stream(balances).sum()).isEqualTo(ACCOUNTS * INITIAL);
            long ledger = kv.scan(ns, io.memsidecar.client.Kv.ScanOptions.prefix("ledger/")).count();
            assertThat(ledger).as("no ledger entry without its transfer").isEqualTo(applied.size());
            assertThat(acknowledged.size()).isGreaterThan(50);
            assertThat(reads.get()).isGreaterThan(20);
            System.out.printf("bank: %d transfers acknowledged, %d refused (a compare failed), %d unknown of which %d applied,"
                    + " %d consistent reads; sidecar 1 SIGKILLed and restarted%n", acknowledged.size(), refused.get(),
                    unknown.size(), applied.size() - acknowledged.size(), reads.get());
        } finally {
            for (MemSidecar c : clients) {
                c.close();
            }
            for (int i = 0; i < SIDECARS; i++) {
                if (sidecars.get(i) != null) {
                    sidecars.get(i).close();
                }
            }
        }
    }

    private static int freePort() throws java.io.IOException {
        try (var s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
