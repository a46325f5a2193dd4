package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.memsidecar.mcp.MemsidecarMcp;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MCP server through MCP clients: the MCP Java SDK's client on the server's streamable HTTP
 * endpoint ({@code /mcp}) and on {@code memctl mcp} (stdio, the packaged launcher), and the
 * official MCP inspector's CLI (npm) on stdio and HTTP: the eight tools of spec §11 and recall, a denied
 * call, a bad argument, an unauthenticated request, the namespaces as resources.
 */
class McpTest {
    private static final List<String> TOOLS = List.of("kv_get", "kv_put", "semantic_search", "semantic_upsert",
            "episodic_append", "episodic_range", "graph_neighbors", "graph_traverse", "recall");
    /** The inspector version the test installs (0.21 is the last that runs on the machine's Node 20). */
    private static final String INSPECTOR = "@modelcontextprotocol/inspector@0.21.2";

    /** Bare verbs: never an admin op, so such a token cannot list the namespaces. */
    private static final List<String> NARROW_OPS = List.of("get", "put", "append", "range");
    private static TestServer server;
    private static String url;

    @BeforeAll
    static void start() {
        server = TestServer.withHttpListener("""
                backends:
                  - { name: mem, driver: memory }
                namespaces:
                  - { block: kv, name: scratch, backend: mem }
                  - { block: kv, name: secret, backend: mem }
                  - { block: episodic, name: events, backend: mem }
                  - { block: semantic, name: notes, backend: mem, embedder: { provider: fake, dimensions: 16 } }
                  - { block: graph, name: world, backend: mem }
                  - { block: artifact, name: blobs, backend: mem }
                """);
        url = "http://127.0.0.1:" + server.server.httpPort().orElseThrow() + "/mcp";
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static McpSyncClient http(String token) {
        var transport = HttpClientStreamableHttpTransport.builder(url.replace("/mcp", "")).endpoint("/mcp")
                .requestBuilder(token == null ? HttpRequest.newBuilder() : HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
                .build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build();
    }

    private static McpSyncClient stdio(String token) {
        var params = ServerParameters.builder(Memctl.launcher().toString()).args("mcp")
                .env(Map.of("MEMSIDECAR_ADDR", "127.0.0.1:" + server.port(), "MEMSIDECAR_TOKEN", token)).build();
        return McpClient.sync(new StdioClientTransport(params, MemsidecarMcp.jsonMapper()))
                .requestTimeout(Duration.ofSeconds(30)).initializationTimeout(Duration.ofSeconds(60)).build();
    }

    private static String text(CallToolResult r) {
        return ((McpSchema.TextContent) r.content().getFirst()).text();
    }

    private static String ok(McpSyncClient client, String tool, Map<String, Object> args) {
        CallToolResult r = client.callTool(new CallToolRequest(tool, args));
        assertThat(r.isError()).as(tool + ": " + text(r)).isFalse();
        return text(r);
    }

    /** Every tool once, with the outputs of spec §11. */
    private static void everyTool(McpSyncClient client, String run) {
        assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).containsExactlyElementsOf(TOOLS);
        assertThat(ok(client, "kv_put", Map.of("namespace", "scratch", "key", run, "value", "hello", "ttl_seconds", 60)))
                .matches("ok \\(version \\d+\\)");
        assertThat(ok(client, "kv_get", Map.of("namespace", "scratch", "key", run))).isEqualTo("hello");
        assertThat(ok(client, "kv_get", Map.of("namespace", "scratch", "key", run + "-absent"))).isEqualTo("(not found)");

        String fact = "Paris is in France, said " + run;
        assertThat(ok(client, "semantic_upsert", Map.of("namespace", "notes", "id", run, "content", fact)))
                .isEqualTo("stored id " + run);
        JsonNode hits = Json.parse(ok(client, "semantic_search", Map.of("namespace", "notes", "query", fact, "top_k", 3)));
        assertThat(hits.get(0).get("id").asText()).isEqualTo(run);
        assertThat(hits.get(0).get("content").asText()).isEqualTo(fact);
        assertThat(hits.get(0).has("score")).isTrue();

        assertThat(ok(client, "episodic_append", Map.of("namespace", "events", "type", "message", "payload", "hi",
                "role", "user", "session_id", run))).matches("appended cursor \\d+");
        JsonNode events = Json.parse(ok(client, "episodic_range", Map.of("namespace", "events", "session_id", run)));
        assertThat(events).hasSize(1);
        assertThat(events.get(0).get("payload").asText()).isEqualTo("hi");
        assertThat(events.get(0).get("role").asText()).isEqualTo("user");

        memctlGraph(run);
        JsonNode n = Json.parse(ok(client, "graph_neighbors", Map.of("namespace", "world", "node_id", run + "-paris",
                "edge_types", List.of("CAPITAL_OF"))));
        assertThat(n.get("nodes").get(0).get("id").asText()).isEqualTo(run + "-france");
        assertThat(n.get("edges").get(0).get("type").asText()).isEqualTo("CAPITAL_OF");
        JsonNode t = Json.parse(ok(client, "graph_traverse", Map.of("namespace", "world", "start_id", run + "-france", "depth", 2)));
        assertThat(t.get("nodes")).hasSize(2);

        ok(client, "semantic_upsert", Map.of("namespace", "notes", "id", run + "-france", "content", "a country in Europe"));
        JsonNode recalled = Json.parse(ok(client, "recall", Map.of("namespace", "notes", "query", "which country is it in",
                "graph_namespace", "world", "focal_node_ids", List.of(run + "-paris"), "edge_types", List.of("CAPITAL_OF"))));
        JsonNode france = java.util.stream.StreamSupport.stream(recalled.spliterator(), false)
                .filter(h -> h.get("id").asText().equals(run + "-france")).findFirst().orElseThrow();
        assertThat(france.get("lanes").get("graph").asInt()).isEqualTo(1);
        assertThat(france.get("path").toString()).isEqualTo("[\"" + run + "-paris\",\"" + run + "-france\"]");
    }

    private static void memctlGraph(String run) {
        var memctl = new Memctl(Map.of("MEMSIDECAR_ADDR", "127.0.0.1:" + server.port(), "MEMSIDECAR_TOKEN", server.fullToken()));
        try {
            memctl.run("graph", "upsert-node", "world", run + "-paris", "--label", "City");
            memctl.run("graph", "upsert-node", "world", run + "-france", "--label", "Country");
            assertThat(memctl.run("graph", "upsert-edge", "world", run + "-e", "CAPITAL_OF", run + "-paris", run + "-france").exit())
                    .isZero();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deniedAndBadArguments(McpSyncClient client) {
        CallToolResult denied = client.callTool(new CallToolRequest("kv_get", Map.of("namespace", "secret", "key", "k")));
        assertThat(denied.isError()).isTrue();
        assertThat(text(denied)).startsWith("PERMISSION_DENIED: ");
        CallToolResult missing = client.callTool(new CallToolRequest("kv_get", Map.of("namespace", "scratch")));
        assertThat(missing.isError()).isTrue();
        assertThat(text(missing)).contains("key");
        CallToolResult wrongType = client.callTool(new CallToolRequest("kv_put",
                Map.of("namespace", "scratch", "key", "k", "value", "v", "ttl_seconds", "soon")));
        assertThat(wrongType.isError()).isTrue();
        CallToolResult unknownNs = client.callTool(new CallToolRequest("episodic_range", Map.of("namespace", "nope")));
        assertThat(text(unknownNs)).startsWith("NOT_FOUND: ");
    }

    @Test
    void streamableHttpEndpoint() throws Exception {
        try (var client = http(server.fullToken())) {
            var init = client.initialize();
            assertThat(init.serverInfo().name()).isEqualTo("memsidecar");
            everyTool(client, "http");
            var resources = client.listResources().resources();
            assertThat(resources).extracting(McpSchema.Resource::uri).contains("memsidecar://namespaces",
                    "memsidecar://namespaces/kv/scratch", "memsidecar://namespaces/semantic/notes")
                    .doesNotContain("memsidecar://namespaces/artifact/blobs");
            var read = client.readResource(new McpSchema.ReadResourceRequest("memsidecar://namespaces/kv/scratch"));
            assertThat(((McpSchema.TextResourceContents) read.contents().getFirst()).text()).contains("\"driver\": \"memory\"");
        }
        try (var client = http(server.token(List.of("kv/scratch", "episodic/*"), NARROW_OPS))) {
            client.initialize();
            deniedAndBadArguments(client);
        }
        assertThatThrownBy(() -> {
            try (var client = http(null)) {
                client.initialize();
            }
        }).as("no token, no session").isInstanceOf(RuntimeException.class);
        try (var raw = HttpClient.newHttpClient()) {
            var body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";
            var noToken = raw.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(noToken.statusCode()).isEqualTo(401);
            assertThat(noToken.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            var badToken = raw.send(HttpRequest.newBuilder(URI.create(url)).header("x-memsidecar-capability", "Bearer v4.public.x")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(badToken.statusCode()).isEqualTo(401);
            var crossOrigin = raw.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + server.fullToken())
                    .header("Origin", "http://evil.example").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(crossOrigin.statusCode()).isEqualTo(403);
            var get = raw.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + server.fullToken()).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).as("stateless: no server-initiated stream").isEqualTo(405);
            var garbage = raw.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + server.fullToken())
                    .POST(HttpRequest.BodyPublishers.ofString("{not json")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(garbage.statusCode()).isEqualTo(400);
        }
    }

    @Test
    void stdioThroughThePackagedMemctl() {
        try (var client = stdio(server.fullToken())) {
            assertThat(client.initialize().serverInfo().name()).isEqualTo("memsidecar");
            everyTool(client, "stdio");
            assertThat(client.listResources().resources()).extracting(McpSchema.Resource::uri)
                    .contains("memsidecar://namespaces/graph/world");
        }
        try (var client = stdio(server.token(List.of("kv/scratch", "episodic/*"), NARROW_OPS))) {
            client.initialize();
            deniedAndBadArguments(client);
            assertThat(client.listResources().resources()).as("the token may not list namespaces").extracting(McpSchema.Resource::uri)
                    .containsExactly("memsidecar://namespaces");
        }
    }

    /** The official MCP inspector's CLI mode, a client no one here wrote, from the npm registry. */
    @Test
    void theMcpInspectorCli() throws Exception {
        Path inspector = installInspector();
        String token = server.fullToken();
        var memctl = List.of(Memctl.launcher().toString(), "mcp");
        var env = Map.of("MEMSIDECAR_ADDR", "127.0.0.1:" + server.port(), "MEMSIDECAR_TOKEN", token);

        String tools = inspect(inspector, env, memctl, "--method", "tools/list");
        assertThat(Json.parse(tools).get("tools")).extracting(t -> t.get("name").asText()).containsExactlyElementsOf(TOOLS);
        String put = inspect(inspector, env, memctl, "--method", "tools/call", "--tool-name", "kv_put",
                "--tool-arg", "namespace=scratch", "--tool-arg", "key=inspected", "--tool-arg", "value=by the inspector");
        assertThat(Json.parse(put).get("content").get(0).get("text").asText()).startsWith("ok (version ");
        String get = inspect(inspector, env, memctl, "--method", "tools/call", "--tool-name", "kv_get",
                "--tool-arg", "namespace=scratch", "--tool-arg", "key=inspected");
        assertThat(Json.parse(get).get("content").get(0).get("text").asText()).isEqualTo("by the inspector");

        String overHttp = inspect(inspector, Map.of(), List.of(url, "--transport", "http", "--header", "Authorization: Bearer " + token),
                "--method", "tools/call", "--tool-name", "kv_get", "--tool-arg", "namespace=scratch", "--tool-arg", "key=inspected");
        assertThat(Json.parse(overHttp).get("content").get(0).get("text").asText()).isEqualTo("by the inspector");
    }

    private static String inspect(Path inspector, Map<String, String> env, List<String> target, String... args) throws Exception {
        var command = new ArrayList<String>(List.of(inspector.toString(), "--cli"));
        command.addAll(target);
        env.forEach((k, v) -> command.addAll(List.of("-e", k + "=" + v)));
        command.addAll(List.of(args));
        var pb = new ProcessBuilder(command).redirectErrorStream(false);
        Process p = pb.start();
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes());
            } catch (java.io.IOException e) {
                return "";
            }
        });
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out + err.join()).isZero();
        return out;
    }

    /** npm install into the build directory once (the registry is reachable here and in CI). */
    private static Path installInspector() throws Exception {
        Path dir = Path.of(System.getProperty("memsidecar.tests.target", "target")).resolve("mcp-inspector").toAbsolutePath();
        Path bin = dir.resolve("node_modules/.bin/mcp-inspector");
        if (!Files.isExecutable(bin)) {
            Files.createDirectories(dir);
            Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", dir.toString(),
                    INSPECTOR).redirectErrorStream(true).start();
            String log = new String(npm.getInputStream().readAllBytes());
            assertThat(npm.waitFor(300, TimeUnit.SECONDS)).isTrue();
            assertThat(npm.exitValue()).as("npm install " + INSPECTOR + ":\n" + log).isZero();
        }
        return bin;
    }
}
