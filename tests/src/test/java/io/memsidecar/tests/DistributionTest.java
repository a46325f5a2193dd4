package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged distribution ({@code server/target/memsidecar}) on its embedded default, as a user
 * runs it: it prints a working token and curl example, keeps its key across restarts, and stops
 * cleanly on SIGTERM; its kv data survives the restart.
 */
class DistributionTest {
    private static final Pattern PORT = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/v1/kv/scratchpad/greeting");

    @TempDir
    Path dataDir;

    private record Running(Process process, int port, String token) {
    }

    private Running start(String... args) throws Exception {
        Path bin = Path.of(System.getProperty("memsidecar.dist")).resolve("bin/memsidecar");
        assertThat(bin).isExecutable();
        var command = new java.util.ArrayList<>(List.of(bin.toString()));
        command.addAll(List.of(args));
        var pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("MEMSIDECAR_DATA_DIR", dataDir.toString());
        pb.environment().put("MEMSIDECAR_SERVER__GRPC__TCP", "127.0.0.1:0");
        pb.environment().put("MEMSIDECAR_METRICS__PROMETHEUS__ADDR", "127.0.0.1:0");
        Process p = pb.start();
        var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String token = null;
        int port = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (port < 0 && System.nanoTime() < deadline) {
            String line = out.readLine();
            if (line == null) {
                break;
            }
            if (line.strip().startsWith("export MEMSIDECAR_TOKEN=")) {
                token = line.strip().substring("export MEMSIDECAR_TOKEN=".length());
            }
            Matcher m = PORT.matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            }
        }
        assertThat(port).as("the welcome text names the port").isPositive();
        assertThat(token).startsWith("v4.public.");
        assertThat(Files.readString(dataDir.resolve("token")).strip()).isEqualTo(token);
        return new Running(p, port, token);
    }

    private static HttpResponse<String> call(int port, String method, String token, String body) throws Exception {
        try (var http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/kv/scratchpad/greeting"))
                    .header("x-memsidecar-capability", "Bearer " + token)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /** semantic/notes embeds with the in-process model: its native libraries load from the distribution. */
    private static void semanticSearchRunsTheLocalModel(Running r) throws Exception {
        var up = semantic(r, "Upsert", """
                {"namespace":"notes","records":[{"id":"cat","content":"the cat sat on the mat"},
                 {"id":"money","content":"quarterly revenue grew by eight percent"}]}""");
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        var found = semantic(r, "Search", "{\"namespace\":\"notes\",\"queryText\":\"a kitten resting on a rug\",\"idsOnly\":true}");
        assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
        assertThat(Json.parse(found.body()).get("hits").get(0).get("record").get("id").asText()).isEqualTo("cat");
    }

    /** graph/knowledge through the curl routes, then read back by the packaged memctl. */
    private static void graphNeighborsThroughMemctl(Running r) throws Exception {
        try (var http = HttpClient.newHttpClient()) {
            for (String[] put : new String[][] {{"nodes/paris", "{\"labels\":[\"City\"]}"},
                    {"nodes/france", "{\"labels\":[\"Country\"]}"},
                    {"edges/cap", "{\"type\":\"CAPITAL_OF\",\"from\":\"paris\",\"to\":\"france\"}"}}) {
                var res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.port() + "/v1/graph/knowledge/"
                                + put[0])).header("x-memsidecar-capability", "Bearer " + r.token())
                        .PUT(HttpRequest.BodyPublishers.ofString(put[1])).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            }
        }
        Path memctl = Path.of(System.getProperty("memsidecar.dist")).resolve("bin/memctl");
        var pb = new ProcessBuilder(memctl.toString(), "graph", "neighbors", "knowledge", "paris", "--edge-types", "CAPITAL_OF",
                "--addr", "127.0.0.1:" + r.port()).redirectErrorStream(true);
        pb.environment().put("MEMSIDECAR_TOKEN", r.token());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).containsPattern("france\\s+Country").containsPattern("cap\\s+CAPITAL_OF\\s+paris\\s+france");
    }

    private static HttpResponse<String> semantic(Running r, String method, String body) throws Exception {
        try (var http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.port()
                            + "/memsidecar.semantic.v1.Semantic/" + method))
                    .header("x-memsidecar-capability", "Bearer " + r.token())
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy(); // SIGTERM
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
        assertThat(p.exitValue()).isIn(0, 143);
    }

    @Test
    void embeddedDefaultServesThePrintedTokenAndKeepsItsKeyAcrossRestarts() throws Exception {
        Running first = start();
        try {
            assertThat(call(first.port(), "PUT", first.token(), "hello").statusCode()).isEqualTo(200);
            var got = call(first.port(), "GET", first.token(), null);
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(got.body()).isEqualTo("hello");
            semanticSearchRunsTheLocalModel(first);
            graphNeighborsThroughMemctl(first);
        } finally {
            stop(first.process());
        }
        assertThat(Files.getPosixFilePermissions(dataDir.resolve("signing.key")).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
        String publicKey = Files.readString(dataDir.resolve("signing.pub"));

        Running second = start();
        try {
            assertThat(Files.readString(dataDir.resolve("signing.pub"))).isEqualTo(publicKey);
            // The token of the first run still verifies: same key. kv and semantic live in SQLite in the data directory.
            var kept = call(second.port(), "GET", first.token(), null);
            assertThat(kept.statusCode()).isEqualTo(200);
            assertThat(kept.body()).isEqualTo("hello");
            var note = semantic(second, "Get", "{\"namespace\":\"notes\",\"id\":\"cat\"}");
            assertThat(note.statusCode()).as(note.body()).isEqualTo(200);
            assertThat(Json.parse(note.body()).get("record").get("content").asText()).isEqualTo("the cat sat on the mat");
        } finally {
            stop(second.process());
        }

        Running memory = start("--in-memory");
        try {
            assertThat(call(memory.port(), "GET", first.token(), null).statusCode()).as("--in-memory starts empty").isEqualTo(404);
        } finally {
            stop(memory.process());
        }
    }

    private record Exit(int code, String out, String err) {
    }

    private static Exit run(String... args) throws Exception {
        var command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("memsidecar.dist")).resolve("bin/memsidecar")
                .toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Exit(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void commandLine() throws Exception {
        var help = run("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).startsWith("Usage: memsidecar").contains("--config=FILE", "--in-memory", "--version");
        assertThat(run("-V").out().strip()).matches("memsidecar \\S+");
        var unknown = run("--confg", "x.yaml");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("Unknown option: '--confg'").contains("Usage: memsidecar");
        var missing = run("--config");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required parameter for option '--config'");
        var both = run("--in-memory", "--config=" + dataDir.resolve("absent.yaml"));
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).as("the file is read first: a missing file is the error").isNotBlank();
    }
}
