package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The friendly KV routes a person uses with curl, with the same auth and policy as gRPC. */
class CurlRoutesTest {
    private TestServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        server = new TestServer(KvEndToEndTest.NAMESPACES, KvEndToEndTest.POLICY);
    }

    @AfterEach
    void stop() {
        server.close();
        http.close();
    }

    private HttpResponse<String> send(String method, String path, String body, String token, String... headers) throws Exception {
        var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            req.header("x-memsidecar-capability", "Bearer " + token);
        }
        for (int i = 0; i < headers.length; i += 2) {
            req.header(headers[i], headers[i + 1]);
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Regression: the JDK client sends a body-less PUT as an h2c upgrade with Content-Length: 0,
     * whose empty entity Helidon never ended, so the call hung. The first request of a fresh
     * client is the one that upgrades.
     */
    @Test
    void anEmptyPutOverAnH2cUpgradeAnswers() throws Exception {
        try (HttpClient fresh = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build()) {
            var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/kv/notes/empty"))
                    .timeout(java.time.Duration.ofSeconds(10)).header("x-memsidecar-capability", "Bearer " + server.fullToken())
                    .PUT(HttpRequest.BodyPublishers.noBody()).build();
            var res = fresh.send(req, HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.version()).isEqualTo(HttpClient.Version.HTTP_2);
        }
        assertThat(send("GET", "/v1/kv/notes/empty", null, server.fullToken()).body()).isEmpty();
    }

    @Test
    void putGetListDeleteWithEtagsAndConditionalWrites() throws Exception {
        String t = server.fullToken();
        var put = send("PUT", "/v1/kv/notes/dir/a%20b?ttl=5m", "hello", t, "Content-Type", "text/plain");
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(put.headers().firstValue("ETag")).hasValue("\"1\"");
        assertThat(Json.parse(put.body()).has("expiresAt")).isTrue();

        var get = send("GET", "/v1/kv/notes/dir/a%20b", null, t);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo("hello");
        assertThat(get.headers().firstValue("Content-Type")).hasValue("text/plain");
        assertThat(get.headers().firstValue("ETag")).hasValue("\"1\"");

        // HTTP semantics for conditional requests: 412 (the gateway mirror keeps grpc-gateway's 400)
        var stale = send("PUT", "/v1/kv/notes/dir/a%20b", "stale", t, "If-Match", "\"7\"");
        assertThat(stale.statusCode()).isEqualTo(412);
        assertThat(Json.parse(stale.body()).get("code").asInt()).isEqualTo(9);
        assertThat(send("PUT", "/v1/kv/notes/dir/a%20b", "again", t, "If-None-Match", "*").statusCode()).isEqualTo(412);
        var cas = send("PUT", "/v1/kv/notes/dir/a%20b", "world", t, "If-Match", "\"1\"");
        assertThat(cas.headers().firstValue("ETag")).hasValue("\"2\"");
        send("PUT", "/v1/kv/notes/dir/c", "x", t);

        var list = send("GET", "/v1/kv/notes?prefix=dir/&values=true", null, t);
        assertThat(list.statusCode()).isEqualTo(200);
        List<String> lines = list.body().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(Json.parse(lines.get(0)).get("key").asText()).isEqualTo("dir/a b");
        assertThat(Json.parse(lines.get(0)).get("value").asText()).isEqualTo("d29ybGQ="); // base64("world")

        assertThat(send("DELETE", "/v1/kv/notes/dir/c", null, t, "If-Match", "\"9\"").statusCode()).isEqualTo(412);
        var del = send("DELETE", "/v1/kv/notes/dir/c", null, t);
        assertThat(Json.parse(del.body()).get("existed").asBoolean()).isTrue();
        assertThat(send("GET", "/v1/kv/notes/dir/c", null, t).statusCode()).isEqualTo(404);
    }

    @Test
    void curlRoutesShareAuthAndPolicy() throws Exception {
        assertThat(send("GET", "/v1/kv/notes/k", null, null).statusCode()).isEqualTo(401);
        String narrow = server.token(List.of("kv/other"), List.of("*"));
        assertThat(send("PUT", "/v1/kv/notes/k", "x", narrow).statusCode()).isEqualTo(403);
        assertThat(send("PUT", "/v1/kv/secret-plans/k", "x", server.fullToken()).statusCode()).isEqualTo(403);
        assertThat(send("GET", "/v1/kv/notes?limit=500", null, server.fullToken()).statusCode()).isEqualTo(429);
        assertThat(send("PUT", "/v1/kv/notes/k?ttl=soon", "x", server.fullToken()).statusCode()).isEqualTo(400);
        assertThat(send("PUT", "/v1/kv/nope/k", "x", server.fullToken()).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/v1/kv/notes/k", null, server.fullToken()).statusCode()).isEqualTo(404);
    }

    @Test
    void healthEndpointsAnswer() throws Exception {
        assertThat(send("GET", "/livez", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/readyz", null, null).body()).contains("UP");
    }
}
