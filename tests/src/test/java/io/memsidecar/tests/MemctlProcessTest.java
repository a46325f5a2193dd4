package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code bin/memctl} against a real server, a command for every block, with the
 * exit codes scripts rely on (0 ok, 1 usage, 2 not found, 3 denied, 4 precondition, 5
 * unavailable) and {@code --output json} read back as JSON lines.
 */
class MemctlProcessTest {
    private static TestServer server;
    private static Memctl memctl;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        server = new TestServer("""
                backends:
                  - { name: mem, driver: memory }
                namespaces:
                  - { block: kv, name: scratch, backend: mem }
                  - { block: kv, name: other, backend: mem, access: { track: true } }
                  - { block: episodic, name: events, backend: mem }
                  - { block: semantic, name: notes, backend: mem, embedder: { provider: fake, dimensions: 16 } }
                  - { block: artifact, name: blobs, backend: mem }
                  - { block: lease, name: locks, backend: mem }
                  - { block: graph, name: world, backend: mem }
                """, "");
        memctl = new Memctl(Map.of("MEMSIDECAR_ADDR", "127.0.0.1:" + server.port(), "MEMSIDECAR_TOKEN", server.fullToken()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static List<JsonNode> jsonLines(Memctl.Result r) {
        assertThat(r.exit()).as(r.toString()).isZero();
        return r.out().lines().filter(l -> !l.isBlank()).map(Json::parse).toList();
    }

    @Test
    void connectionOptionsAreTakenBeforeAfterOrBetweenTheSubcommands() throws Exception {
        var elsewhere = new Memctl(Map.of("MEMSIDECAR_ADDR", "127.0.0.1:1", "MEMSIDECAR_TOKEN", "v4.public.bogus"));
        String addr = "127.0.0.1:" + server.port();
        assertThat(elsewhere.run("--addr", addr, "--token", server.fullToken(), "kv", "put", "scratch", "placed", "before").exit())
                .isZero();
        assertThat(elsewhere.run("kv", "--addr", addr, "get", "scratch", "placed", "--token", server.fullToken()).out())
                .isEqualTo("before");
        var json = elsewhere.run("--output", "json", "kv", "get", "scratch", "placed", "--addr", addr, "--token", server.fullToken());
        assertThat(jsonLines(json).getFirst().get("value").asText()).isEqualTo("YmVmb3Jl"); // "before", base64
        assertThat(elsewhere.run("kv", "get", "scratch", "placed", "--token", server.fullToken()).exit())
                .as("without --addr, $MEMSIDECAR_ADDR (nothing listens there)").isEqualTo(5);
    }

    @Test
    void kvCommandsAndExitCodes() throws Exception {
        var put = memctl.run("kv", "put", "scratch", "greeting", "hello", "--ttl", "5m", "--content-type", "text/plain");
        assertThat(put.exit()).as(put.toString()).isZero();
        assertThat(put.out()).isEqualTo("ok (version 1)\n");
        assertThat(memctl.run("kv", "get", "scratch", "greeting").out()).isEqualTo("hello");
        assertThat(memctl.runWithInput("from stdin".getBytes(StandardCharsets.UTF_8), "kv", "put", "scratch", "piped", "-").exit()).isZero();
        Path file = Files.write(tmp.resolve("v.bin"), new byte[] {0, 1, 2, (byte) 0xff});
        assertThat(memctl.run("kv", "put", "scratch", "file", "@" + file).exit()).isZero();

        List<JsonNode> scan = jsonLines(memctl.run("kv", "scan", "scratch", "--values", "--output", "json"));
        assertThat(scan).extracting(n -> n.get("key").asText()).containsExactly("file", "greeting", "piped");
        assertThat(scan.get(0).get("value").asText()).isEqualTo("AAEC/w==");
        assertThat(scan.get(2).get("value").asText()).isEqualTo("ZnJvbSBzdGRpbg==");
        assertThat(jsonLines(memctl.run("kv", "get", "scratch", "greeting", "--output", "json")).getFirst()
                .get("contentType").asText()).isEqualTo("text/plain");

        assertThat(memctl.run("kv", "access", "scratch", "greeting").out().strip()).isEqualTo("not tracked (the namespace has no access.track)");
        String claim = "{\"compare\":[{\"key\":\"task:7\",\"absent\":true}],\"success\":[{\"put\":{\"key\":\"task:7\","
                + "\"value\":\"b3duZXI=\"}}],\"failure\":[{\"get\":{\"key\":\"task:7\"}}]}";
        var claimed = memctl.runWithInput(claim.getBytes(StandardCharsets.UTF_8), "kv", "txn", "scratch", "-");
        assertThat(claimed.exit()).as(claimed.toString()).isZero();
        assertThat(claimed.out().strip()).isEqualTo("succeeded, 1 ops");
        Path txnFile = tmp.resolve("claim.json");
        Files.writeString(txnFile, claim);
        var taken = memctl.run("kv", "txn", "scratch", "@" + txnFile, "--output", "json");
        assertThat(taken.exit()).as("the failure ops ran").isEqualTo(4);
        var takenJson = Json.parse(taken.out().strip());
        assertThat(takenJson.get("results").get(0).get("get").get("value").asText()).isEqualTo("b3duZXI=");
        assertThat(takenJson.get("failedCompares").get(0).asInt()).isZero();
        assertThat(memctl.run("kv", "put", "other", "tracked", "x").exit()).isZero();
        memctl.run("kv", "get", "other", "tracked");
        assertThat(memctl.run("kv", "access", "other", "tracked").out()).startsWith("1 reads, last ");
        assertThat(memctl.run("kv", "access", "other", "nope").exit()).isEqualTo(2);
        var missing = memctl.run("kv", "get", "scratch", "nope");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("(not found)");
        var cas = memctl.run("kv", "put", "scratch", "greeting", "x", "--if-version", "7");
        assertThat(cas.exit()).as(cas.toString()).isEqualTo(4);
        assertThat(cas.err().strip()).isEqualTo("memctl: FAILED_PRECONDITION: version mismatch");
        assertThat(memctl.run("kv", "get", "scratch", "greeting").out()).as("a refused CAS changes nothing").isEqualTo("hello");

        var narrow = memctl.run("kv", "get", "scratch", "greeting", "--token", server.token(List.of("kv/other"), List.of("get")));
        assertThat(narrow.exit()).isEqualTo(3);
        assertThat(narrow.err()).startsWith("memctl: PERMISSION_DENIED: ").doesNotContain("\n\t");
        var bad = memctl.run("kv", "get", "scratch", "greeting", "--token", "v4.public.bogus");
        assertThat(bad.exit()).isEqualTo(3);
        assertThat(bad.err()).startsWith("memctl: UNAUTHENTICATED: ");
        assertThat(memctl.run("kv", "get", "unknown-ns", "k").exit()).isEqualTo(2);
        var down = memctl.run("kv", "get", "scratch", "greeting", "--addr", "127.0.0.1:1");
        assertThat(down.exit()).isEqualTo(5);
        assertThat(down.err()).startsWith("memctl: UNAVAILABLE: ");
        var usage = memctl.run("kv", "put", "scratch");
        assertThat(usage.exit()).isEqualTo(1);
        assertThat(usage.err()).contains("Missing required parameter").contains("memctl kv put --help");
        assertThat(memctl.run("kv", "put", "scratch", "", "v").exit()).as("empty key: INVALID_ARGUMENT").isEqualTo(1);

        assertThat(memctl.run("kv", "del", "scratch", "greeting").exit()).isZero();
        assertThat(memctl.run("kv", "del", "scratch", "greeting").exit()).isEqualTo(2);
        var overUnix = memctl.run("kv", "get", "scratch", "piped", "--unix", server.socket.toString());
        assertThat(overUnix.out()).as(overUnix.toString()).isEqualTo("from stdin");
    }

    @Test
    void episodicAppendRangeAndALiveTail() throws Exception {
        assertThat(memctl.run("episodic", "append", "events", "message", "hello", "--role", "user", "--session", "s1").out())
                .startsWith("appended cursor 1 ");
        memctl.run("episodic", "append", "events", "tool_call", "search(paris)", "--role", "assistant", "--session", "s2");
        List<JsonNode> s1 = jsonLines(memctl.run("episodic", "range", "events", "--session", "s1", "--output", "json"));
        assertThat(s1).hasSize(1);
        assertThat(s1.getFirst().get("type").asText()).isEqualTo("message");
        var table = memctl.run("episodic", "range", "events");
        assertThat(table.out().lines().toList()).hasSize(3).first().asString().startsWith("CURSOR");

        Process tail = memctl.builder("episodic", "tail", "events", "--historical", "--output", "json").start();
        try (var lines = new BufferedReader(new InputStreamReader(tail.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(Json.parse(lines.readLine()).get("cursor").asText()).isEqualTo("1");
            assertThat(Json.parse(lines.readLine()).get("cursor").asText()).isEqualTo("2");
            memctl.run("episodic", "append", "events", "observation", "live");
            JsonNode live = Json.parse(lines.readLine());
            assertThat(live.get("cursor").asText()).isEqualTo("3");
            assertThat(live.get("type").asText()).isEqualTo("observation");
            assertThat(tail.isAlive()).as("a tail follows until it is stopped").isTrue();
        } finally {
            tail.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the JVM's hooks cancel the call
            assertThat(tail.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void semanticUpsertSearchGetDelete() throws Exception {
        assertThat(memctl.run("semantic", "upsert", "notes", "Paris is the capital of France", "--id", "f1", "--meta", "topic=geo").out())
                .isEqualTo("stored id f1 (version 1)\n");
        memctl.run("semantic", "upsert", "notes", "Quarterly revenue grew", "--id", "f2", "--meta", "topic=money");
        List<JsonNode> hits = jsonLines(memctl.run("semantic", "search", "notes", "Paris is the capital of France",
                "--filter", "topic=geo", "--output", "json"));
        assertThat(hits).extracting(h -> h.get("record").get("id").asText()).containsExactly("f1");
        assertThat(memctl.run("semantic", "search", "notes", "capital", "--where", "topic in geo|money").out().lines().count())
                .as("header and both records").isEqualTo(3);
        assertThat(memctl.run("semantic", "get", "notes", "f1").out()).contains("content:  Paris is the capital of France")
                .contains("metadata: topic=geo");
        assertThat(memctl.run("semantic", "del", "notes", "f1", "--hard").exit()).isZero();
        assertThat(memctl.run("semantic", "get", "notes", "f1").exit()).isEqualTo(2);
        assertThat(memctl.run("semantic", "search", "notes", "x", "--where", "topic").exit()).as("bad predicate").isEqualTo(1);
    }

    @Test
    void artifactsStreamThroughFilesAndPipes() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(data);
        Path src = Files.write(tmp.resolve("report.bin"), data);
        var put = memctl.run("artifact", "put", "blobs", src.toString(), "--meta", "kind=test");
        assertThat(put.exit()).as(put.toString()).isZero();
        assertThat(put.out()).startsWith("stored report.bin (3.0 MiB, sha256 ");
        assertThat(put.err()).as("no progress bar when stderr is not a terminal").isEmpty();
        Path back = tmp.resolve("back.bin");
        assertThat(memctl.run("artifact", "get", "blobs", "report.bin", back.toString()).exit()).isZero();
        assertThat(Files.readAllBytes(back)).isEqualTo(data);

        assertThat(memctl.runWithInput(data, "artifact", "put", "blobs", "-", "--id", "piped").exit()).isZero();
        var piped = memctl.builder("artifact", "get", "blobs", "piped", "--offset", "1000", "--length", "5000").start();
        assertThat(piped.getInputStream().readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(data, 1000, 6000));
        assertThat(piped.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(memctl.run("artifact", "stat", "blobs", "report.bin").out()).contains("size:         " + data.length)
                .contains("metadata:     kind=test");
        assertThat(jsonLines(memctl.run("artifact", "ls", "blobs", "--output", "json"))).extracting(n -> n.get("id").asText())
                .containsExactly("piped", "report.bin");
        assertThat(memctl.run("artifact", "rm", "blobs", "piped").exit()).isZero();
        Path absent = tmp.resolve("absent.bin");
        var missing = memctl.run("artifact", "get", "blobs", "piped", absent.toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(absent).as("no partial file is left").doesNotExist();
        assertThat(tmp.resolve("absent.bin.part")).doesNotExist();
        assertThat(memctl.run("artifact", "stat", "blobs", "piped").exit()).isEqualTo(2);
    }

    @Test
    void leasesWithFencingTokens() throws Exception {
        JsonNode acquired = jsonLines(memctl.run("lease", "acquire", "locks", "job", "--ttl", "30s", "--output", "json")).getFirst();
        String holder = acquired.get("handle").get("holderId").asText();
        assertThat(acquired.get("handle").get("fencingToken").asText()).isEqualTo("1");
        var again = memctl.run("lease", "acquire", "locks", "job", "--ttl", "30s");
        assertThat(again.exit()).isEqualTo(4);
        assertThat(again.err()).startsWith("memctl: FAILED_PRECONDITION: ");
        assertThat(memctl.run("lease", "inspect", "locks", "job").out()).contains("holder:        " + holder);
        assertThat(memctl.run("lease", "renew", holder, "locks", "job", "--ttl", "1m").exit()).isZero();
        assertThat(memctl.run("lease", "ls", "locks").out()).contains(holder);
        assertThat(memctl.run("lease", "release", holder, "locks", "job").exit()).isZero();
        var inspect = memctl.run("lease", "inspect", "locks", "job");
        assertThat(inspect.exit()).isEqualTo(2);
        assertThat(inspect.out()).contains("(not held)");
        assertThat(memctl.run("lease", "acquire", "locks", "job", "--ttl", "0s").exit()).as("ttl must be > 0").isEqualTo(1);
    }

    @Test
    void graphNodesEdgesAndWalks() throws Exception {
        assertThat(memctl.run("graph", "upsert-node", "world", "paris", "--label", "City", "--prop", "pop=2100000").exit()).isZero();
        memctl.run("graph", "upsert-node", "world", "france", "--label", "Country");
        assertThat(memctl.run("graph", "upsert-edge", "world", "e1", "CAPITAL_OF", "paris", "france").out())
                .isEqualTo("upserted edge e1\n");
        assertThat(memctl.run("graph", "get", "world", "paris").out()).contains("labels:  City").contains("props:   pop=2100000");
        JsonNode n = jsonLines(memctl.run("graph", "neighbors", "world", "paris", "--edge-types", "CAPITAL_OF", "--output", "json"))
                .getFirst();
        assertThat(n.get("nodes")).extracting(x -> x.get("id").asText()).containsExactly("france");
        assertThat(n.get("edges").get(0).get("from").asText()).isEqualTo("paris");
        assertThat(memctl.run("graph", "traverse", "world", "france", "--depth", "2").out()).contains("paris").contains("e1");
        assertThat(memctl.run("semantic", "upsert", "notes", "France is a country in Europe", "--id", "france").exit()).isZero();
        var recalled = memctl.run("recall", "notes", "which country", "--graph", "world", "--focal", "paris",
                "--edge-types", "CAPITAL_OF", "--direction", "out");
        assertThat(recalled.exit()).as(recalled.toString()).isZero();
        assertThat(recalled.out()).containsPattern("france +\\S*.*graph#1.*paris>france");
        JsonNode r = jsonLines(memctl.run("recall", "notes", "--graph", "world", "--focal", "paris", "--weight", "dense=0",
                "--subgraph", "--output", "json")).getFirst();
        assertThat(r.get("hits").get(0).get("record").get("id").asText()).isEqualTo("france");
        assertThat(r.get("subgraph").get("edges").get(0).get("id").asText()).isEqualTo("e1");
        assertThat(memctl.run("recall", "notes", "x", "--depth", "3", "--graph", "world").exit()).isEqualTo(1);
        assertThat(memctl.run("recall", "notes", "x", "--weight", "fame=1").exit()).isEqualTo(1);
        assertThat(memctl.run("graph", "rm", "world", "paris").exit()).as("a node with edges needs --cascade").isEqualTo(4);
        assertThat(memctl.run("graph", "rm", "world", "paris", "--cascade").exit()).isZero();
        assertThat(memctl.run("graph", "get", "world", "paris").exit()).isEqualTo(2);
        assertThat(memctl.run("graph", "rm", "world", "e1", "--edge").exit()).as("gone with its node").isEqualTo(2);
    }

    @Test
    void adminTokensAndTheToolItself() throws Exception {
        var ns = memctl.run("ns", "ls");
        assertThat(ns.out()).contains("semantic").contains("notes").contains("fake");
        assertThat(memctl.run("ns", "ls", "--token", server.token(List.of("*"), List.of("get"))).exit())
                .as("ns ls needs admin.inspect").isEqualTo(3);
        assertThat(memctl.run("health").out()).isEqualTo("SERVING\n");
        assertThat(memctl.run("version").out()).startsWith("memctl ");

        var pair = memctl.run("gen-keypair").out();
        assertThat(pair).containsPattern("secret_key_hex: [0-9a-f]{128}\npublic_key_hex: [0-9a-f]{64}");
        var minted = memctl.run("token", "issue", "--secret-key-hex", server.secretHex, "--tenant", "acme", "--ns", "kv/other",
                "--ops", "put,get", "--ttl", "10m");
        assertThat(minted.exit()).as(minted.toString()).isZero();
        String token = minted.out().strip();
        assertThat(memctl.run("kv", "put", "other", "minted", "yes", "--token", token).exit()).isZero();
        assertThat(memctl.run("kv", "get", "scratch", "minted", "--token", token).exit()).isEqualTo(3);
        assertThat(memctl.run("token", "issue", "--tenant", "acme", "--ns", "kv/*").exit()).as("no key").isEqualTo(1);

        assertThat(memctl.run("generate-completion").out()).contains("complete -F").contains("memctl");
        assertThat(memctl.run("artifact", "put", "--help").out()).contains("Examples:").contains("--[no-]progress");
    }
}
