package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memsidecar.driver.postgres.TestDatabase;
import io.memsidecar.proto.semantic.v1.DeleteRequest;
import io.memsidecar.proto.semantic.v1.GetRequest;
import io.memsidecar.proto.semantic.v1.Record;
import io.memsidecar.proto.semantic.v1.SearchRequest;
import io.memsidecar.proto.semantic.v1.SemanticGrpc;
import io.memsidecar.proto.semantic.v1.UpsertRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Semantic memory through the real server, on memory and PostgreSQL + pgvector: embedding on
 * upsert, dense/sparse/hybrid search, lifecycle, the bad-input matrix with its status codes,
 * policy caps, op scopes, and the embedder cache against a stub provider.
 */
class SemanticEndToEndTest {
    private static final String POLICY = """
            policy:
              default: allow
              rules:
                - name: search-cap
                  effect: cap
                  match: { op: ["semantic.search"] }
                  max: { top_k: 50, rerank_candidate_k: 20 }
            """;

    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicInteger providerCalls = new AtomicInteger();
    private final AtomicInteger providerStatus = new AtomicInteger(200);
    private HttpServer provider;
    private TestServer server;
    private ManagedChannel channel;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        provider.createContext("/api/embed", exchange -> {
            providerCalls.incrementAndGet();
            JsonNode body = Json.parse(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            var rows = new StringBuilder();
            for (JsonNode text : body.get("input")) {
                rows.append(rows.isEmpty() ? "" : ",").append("[").append(text.asText().length()).append(",1]");
            }
            byte[] answer = ("{\"embeddings\":[" + rows + "]}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(providerStatus.get(), answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        provider.start();
        server = new TestServer("""
                backends:
                  - { name: mem, driver: memory }
                  - { name: pg, driver: postgres, options: { dsn: "%s" } }
                namespaces:
                  - { block: semantic, name: notes, backend: mem, embedder: { provider: fake, dimensions: 16 } }
                  - { block: semantic, name: pgnotes-%s, backend: pg, embedder: { provider: fake, dimensions: 16 },
                      text_search: english }
                  - block: semantic
                    name: remote
                    backend: mem
                    embedder:
                      provider: ollama
                      model: stub
                      dimensions: 2
                      options: { base_url: "http://127.0.0.1:%d", max_retries: 0 }
                """.formatted(TestDatabase.url(), suffix, provider.getAddress().getPort()), POLICY);
        channel = server.tcpChannel();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.close();
        provider.stop(0);
    }

    private SemanticGrpc.SemanticBlockingStub stub(String token) {
        return SemanticGrpc.newBlockingStub(CapabilityHeader.attach(channel, "Bearer " + token));
    }

    private String ns(String driver) {
        return driver.equals("memory") ? "notes" : "pgnotes-" + suffix;
    }

    /** POSTs to the gateway; returns the HTTP status and the parsed body. */
    private record Answer(int status, JsonNode body) {
    }

    private Answer post(String method, String json) throws Exception {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/memsidecar.semantic.v1.Semantic/" + method))
                .header("x-memsidecar-capability", "Bearer " + server.fullToken())
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(res.statusCode(), Json.parse(res.body()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void upsertSearchGetDeleteOverGrpc(String driver) {
        var semantic = stub(server.fullToken());
        var up = semantic.upsert(UpsertRequest.newBuilder().setNamespace(ns(driver))
                .addRecords(Record.newBuilder().setContent("the cat sat on the mat").putMetadata("kind", "pet"))
                .addRecords(Record.newBuilder().setId("fixed").setContent("stock prices fell").putMetadata("kind", "news"))
                .build());
        assertThat(up.getIdsList()).hasSize(2);
        assertThat(up.getIds(0)).matches("[0-9a-f-]{36}");
        assertThat(up.getVersionsList()).containsExactly(1L, 1L);

        var hits = semantic.search(SearchRequest.newBuilder().setNamespace(ns(driver))
                .setQueryText("The cat sat on the mat").build()).getHitsList();
        assertThat(hits.getFirst().getRecord().getId()).isEqualTo(up.getIds(0));
        assertThat(hits.getFirst().getScore()).as("fake embeddings lower-case: same text, same vector").isGreaterThan(0.999f);
        assertThat(hits.getFirst().getRecord().getContent()).isEqualTo("the cat sat on the mat");
        assertThat(hits.getFirst().getRecord().getVectorCount()).isZero();

        var filtered = semantic.search(SearchRequest.newBuilder().setNamespace(ns(driver))
                .setQueryText("the cat sat on the mat").putFilter("kind", "news").setIncludeVector(true).build());
        assertThat(filtered.getHitsList()).extracting(h -> h.getRecord().getId()).containsExactly("fixed");
        assertThat(filtered.getHits(0).getRecord().getVectorCount()).isEqualTo(16);

        var got = semantic.get(GetRequest.newBuilder().setNamespace(ns(driver)).setId("fixed").build());
        assertThat(got.getFound()).isTrue();
        assertThat(got.getRecord().getVersion()).isEqualTo(1);
        assertThat(semantic.delete(DeleteRequest.newBuilder().setNamespace(ns(driver)).setId("fixed").build()).getExisted())
                .isTrue();
        assertThat(semantic.get(GetRequest.newBuilder().setNamespace(ns(driver)).setId("fixed").build()).getFound())
                .isFalse();
        assertThat(semantic.get(GetRequest.newBuilder().setNamespace(ns(driver)).setId("fixed")
                .setIncludeInvalidated(true).build()).getRecord().hasDeletedAt()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void hybridSearchFusesBothLanesOverTheGateway(String driver) throws Exception {
        String ns = ns(driver);
        assertThat(post("Upsert", """
                {"namespace":"%s","records":[
                  {"id":"both","content":"memory servers keep agent state"},
                  {"id":"lexical","content":"agent"},
                  {"id":"neither","content":"bananas are yellow"}]}""".formatted(ns)).status()).isEqualTo(200);
        Answer a = post("Search", """
                {"namespace":"%s","queryText":"memory servers keep agent state","mode":"SEARCH_MODE_HYBRID",
                 "rerankCandidateK":10,"topK":3}""".formatted(ns));
        assertThat(a.status()).isEqualTo(200);
        JsonNode hits = a.body().get("hits");
        assertThat(hits.get(0).get("record").get("id").asText()).isEqualTo("both");
        assertThat(hits.get(0).get("score").floatValue()).isEqualTo((float) (2.0 / 61));
        assertThat(hits.size()).isEqualTo(3);

        Answer sparse = post("Search", """
                {"namespace":"%s","queryText":"agent","mode":"SEARCH_MODE_SPARSE","idsOnly":true}""".formatted(ns));
        assertThat(sparse.body().get("hits")).extracting(h -> h.get("record").get("id").asText())
                .containsExactlyInAnyOrder("both", "lexical");
        assertThat(sparse.body().get("hits").get(0).get("record").get("content").asText()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void badInputGetsTheRightCodeAndStoresNothing(String driver) throws Exception {
        String ns = ns(driver);
        record Case(String method, String json, int http, int code, String message) {
        }
        String v16 = "[1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]";
        var cases = List.of(
                new Case("Search", "{\"namespace\":\"" + ns + "\",\"queryText\":\"x\",\"queryVector\":" + v16 + "}", 400, 3, "exactly one"),
                new Case("Search", "{\"namespace\":\"" + ns + "\"}", 400, 3, "exactly one"),
                new Case("Search", "{\"namespace\":\"" + ns + "\",\"queryVector\":[1,2]}", 400, 3, "dimensions"),
                new Case("Search", "{\"namespace\":\"" + ns + "\",\"queryVector\":" + v16 + ",\"mode\":\"SEARCH_MODE_SPARSE\"}", 400, 3, "needs query_text"),
                new Case("Search", "{\"namespace\":\"" + ns + "\",\"queryText\":\"x\",\"predicates\":[{\"key\":\"n\",\"op\":\"PREDICATE_OP_GT\",\"values\":[\"abc\"]}]}", 400, 3, "needs a number"),
                new Case("Search", "{\"namespace\":\"" + ns + "\",\"queryText\":\"x\",\"predicates\":[{\"key\":\"\",\"op\":\"PREDICATE_OP_EQ\",\"values\":[\"a\"]}]}", 400, 3, "key required"),
                new Case("Search", "{\"namespace\":\"" + ns + "\",\"queryText\":\"x\",\"predicates\":[{\"key\":\"k\",\"op\":\"PREDICATE_OP_EQ\",\"values\":[\"a\",\"b\"]}]}", 400, 3, "exactly one value"),
                new Case("Upsert", "{\"namespace\":\"" + ns + "\",\"records\":[{\"id\":\"ok\",\"content\":\"fine\"},{\"id\":\"bad\",\"vector\":[1,2,3]}]}", 400, 3, "dimensions"),
                new Case("Upsert", "{\"namespace\":\"" + ns + "\",\"records\":[{\"id\":\"ok\",\"content\":\"fine\"},{\"id\":\"empty\"}]}", 400, 3, "content or vector"),
                new Case("Upsert", "{\"namespace\":\"" + ns + "\",\"records\":[{\"id\":\"zero\",\"vector\":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}]}", 400, 3, "zeros"),
                new Case("Delete", "{\"namespace\":\"" + ns + "\",\"id\":\"\"}", 400, 3, "id required"),
                new Case("Expire", "{\"namespace\":\"" + ns + "\",\"action\":\"EXPIRE_ACTION_HARD_DELETE\"}", 400, 3, "max_rows"),
                new Case("Expire", "{\"namespace\":\"" + ns + "\",\"maxRows\":5}", 400, 3, "action"),
                new Case("Search", "{\"namespace\":\"nope\",\"queryText\":\"x\"}", 404, 5, "not configured"),
                new Case("Search", "{\"namespace\":\"" + ns + "\",\"queryText\":\"x\",\"topK\":51}", 429, 8, "top_k 51 exceeds cap 50"),
                new Case("Search", "{\"namespace\":\"" + ns + "\",\"queryText\":\"x\",\"mode\":\"SEARCH_MODE_HYBRID\"}", 429, 8, "rerank_candidate_k 50 exceeds cap 20"));
        for (Case c : cases) {
            Answer a = post(c.method(), c.json());
            assertThat(a.status()).as(c.json()).isEqualTo(c.http());
            assertThat(a.body().get("code").asInt()).as(c.json()).isEqualTo(c.code());
            assertThat(a.body().get("message").asText()).as(c.json()).contains(c.message());
        }
        Answer all = post("Search", "{\"namespace\":\"" + ns + "\",\"queryText\":\"fine\",\"includeInvalidated\":true}");
        assertThat(all.body().get("hits")).as("a rejected batch stores nothing").isEmpty();

        post("Upsert", "{\"namespace\":\"" + ns + "\",\"records\":[{\"id\":\"cas\",\"content\":\"v1\"}]}");
        Answer mismatch = post("Upsert", "{\"namespace\":\"" + ns + "\",\"records\":[{\"id\":\"cas\",\"content\":\"v2\",\"ifVersion\":\"7\"}]}");
        assertThat(mismatch.status()).isEqualTo(400);
        assertThat(mismatch.body().get("code").asInt()).isEqualTo(9);
        assertThat(mismatch.body().get("message").asText()).contains("version mismatch");
        Answer ok = post("Upsert", "{\"namespace\":\"" + ns + "\",\"records\":[{\"id\":\"cas\",\"content\":\"v2\",\"ifVersion\":\"1\"}]}");
        assertThat(ok.body().get("versions").get(0).asText()).isEqualTo("2");
    }

    @Test
    void opScopesAreEnforced() {
        var reader = stub(server.token(List.of("semantic/notes"), List.of("semantic.search")));
        assertThat(reader.search(SearchRequest.newBuilder().setNamespace("notes").setQueryText("x").build()).getHitsList())
                .isEmpty();
        assertThatThrownBy(() -> reader.upsert(UpsertRequest.newBuilder().setNamespace("notes")
                .addRecords(Record.newBuilder().setContent("x")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        assertThatThrownBy(() -> reader.search(SearchRequest.newBuilder().setNamespace("remote").setQueryText("x").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    }

    @Test
    void theEmbeddingCacheSparesTheProviderAndProviderFailuresAreInternal() {
        var semantic = stub(server.fullToken());
        var upsert = UpsertRequest.newBuilder().setNamespace("remote")
                .addRecords(Record.newBuilder().setId("a").setContent("hello"))
                .addRecords(Record.newBuilder().setId("b").setContent("hello"))
                .addRecords(Record.newBuilder().setId("c").setContent("wide world")).build();
        semantic.upsert(upsert);
        assertThat(providerCalls.get()).as("one batch for the whole upsert").isEqualTo(1);
        semantic.upsert(upsert);
        semantic.search(SearchRequest.newBuilder().setNamespace("remote").setQueryText("hello").build());
        assertThat(providerCalls.get()).as("re-upserting and searching the same texts hits the cache").isEqualTo(1);
        var hits = semantic.search(SearchRequest.newBuilder().setNamespace("remote").addQueryVector(10)
                .addQueryVector(1).build()).getHitsList();
        assertThat(hits.getFirst().getRecord().getId()).isEqualTo("c");

        providerStatus.set(500);
        assertThatThrownBy(() -> semantic.upsert(UpsertRequest.newBuilder().setNamespace("remote")
                .addRecords(Record.newBuilder().setId("d").setContent("never embedded")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
                    assertThat(e.getStatus().getDescription()).startsWith("embed: ").contains("HTTP 500");
                });
        assertThat(semantic.get(GetRequest.newBuilder().setNamespace("remote").setId("d").setIncludeInvalidated(true)
                .build()).getFound()).isFalse();
    }

    @Test
    void startupFailsLoudlyWhenTheHnswIndexCannotBeBuiltOrTheEmbedderIsUnknown() {
        assertThatThrownBy(() -> new TestServer("""
                backends:
                  - { name: pg, driver: postgres, options: { dsn: "%s" } }
                namespaces:
                  - { block: semantic, name: huge-%s, backend: pg, embedder: { provider: fake, dimensions: 3000 } }
                """.formatted(TestDatabase.url(), suffix), "").close())
                .hasMessageContaining("HNSW index").hasMessageContaining("2000");
        assertThatThrownBy(() -> new TestServer("""
                backends:
                  - { name: mem, driver: memory }
                namespaces:
                  - { block: semantic, name: n, backend: mem, embedder: { provider: word2vec, dimensions: 3 } }
                """, "").close())
                .hasMessageContaining("embedder.provider").hasMessageContaining("fake, local, ollama, openai");
    }

    private HttpResponse<String> curl(String method, String path, String token, String body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("x-memsidecar-capability", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "postgres"})
    void curlRoutes(String driver) throws Exception {
        String base = "/v1/semantic/" + ns(driver);
        String token = server.fullToken();
        var put = curl("PUT", base + "/cat?meta=topic:pets&meta=lang:en", token, "the cat sat on the mat");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(Json.parse(put.body()).get("versions").get(0).asText()).isEqualTo("1");
        curl("PUT", base + "/stocks?meta=topic:money", token, "stock prices fell");

        var found = Json.parse(curl("GET", base + "/search?q=the+cat+sat+on+the+mat&k=1", token, null).body());
        assertThat(found.get("hits").size()).isEqualTo(1);
        assertThat(found.get("hits").get(0).get("record").get("id").asText()).isEqualTo("cat");
        var filtered = Json.parse(curl("GET", base + "/search?q=stock+cat&mode=sparse&filter=topic:money", token, null).body());
        assertThat(filtered.get("hits")).extracting(h -> h.get("record").get("id").asText()).containsExactly("stocks");

        var got = curl("GET", base + "/cat", token, null);
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(Json.parse(got.body()).get("metadata").get("lang").asText()).isEqualTo("en");
        assertThat(curl("DELETE", base + "/cat", token, null).statusCode()).isEqualTo(204);
        assertThat(curl("GET", base + "/cat", token, null).statusCode()).isEqualTo(404);
        assertThat(curl("DELETE", base + "/cat", token, null).statusCode()).isEqualTo(404);

        assertThat(curl("GET", base + "/search?q=x&k=many", token, null).statusCode()).isEqualTo(400);
        assertThat(curl("GET", base + "/search?q=x&mode=fuzzy", token, null).statusCode()).isEqualTo(400);
        assertThat(curl("GET", base + "/search?q=x&filter=nocolon", token, null).statusCode()).isEqualTo(400);
        assertThat(curl("GET", base + "/search?q=x", null, null).statusCode()).isEqualTo(401);
        assertThat(curl("GET", base + "/search?q=x&k=51", token, null).statusCode()).as("policy cap").isEqualTo(429);
    }
}
