package io.memsidecar.embedder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.memsidecar.core.Options;
import io.memsidecar.semantic.CachingEmbedder;
import io.memsidecar.semantic.spi.Embedder;
import io.memsidecar.semantic.spi.EmbedderSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EmbeddersTest {
    private static EmbedderSpec spec(String provider, String model, int dims, Map<String, String> options,
                                     Map<String, String> env) {
        return new EmbedderSpec(provider, model, dims, new Options("namespaces[0].embedder.options", options), env);
    }

    /** A JSON vector of {@code dims} values starting at {@code first}. */
    private static String vec(int dims, float first) {
        var parts = new ArrayList<String>();
        for (int i = 0; i < dims; i++) {
            parts.add(Float.toString(first + i));
        }
        return "[" + String.join(",", parts) + "]";
    }

    @Test
    void fakeIsDeterministicCaseInsensitiveNormalisedAndRehashesPastEightValues() {
        var fake = new FakeEmbedder.Provider().open(spec("fake", "", 20, Map.of(), Map.of()));
        float[] a = fake.embed(List.of("Hello World")).getFirst();
        assertThat(a).hasSize(20);
        assertThat(fake.embed(List.of("hello world")).getFirst()).containsExactly(a);
        assertThat(fake.embed(List.of("hello there")).getFirst()).isNotEqualTo(a);
        double norm = 0;
        for (float f : a) {
            norm += f * f;
        }
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        // values 8..15 come from the re-hashed digest, not a repeat of 0..7
        assertThat(java.util.Arrays.copyOfRange(a, 8, 16)).isNotEqualTo(java.util.Arrays.copyOfRange(a, 0, 8));
    }

    @Test
    void fakeMatchesTheSpecsConstruction() {
        // Known answer computed independently (Python hashlib/struct) from spec §7's recipe.
        float[] expected = {0.304115f, 0.514872f, 0.454338f, -0.447654f, 0.170545f, 0.137273f, -0.144633f,
                0.217318f, 0.319407f, 0.132316f};
        assertThat(new FakeEmbedder(10, "fake").vector("ABC"))
                .containsExactly(expected, org.assertj.core.data.Offset.offset(1e-5f));
    }

    @Test
    void ollamaPostsModelAndInputsAndChecksTheAnswer() throws Exception {
        try (var stub = new StubServer(r -> StubServer.Reply.ok("{\"embeddings\":[" + vec(3, 1) + "," + vec(3, 10) + "]}"))) {
            Embedder e = new OllamaEmbedder.Provider().open(spec("ollama", "nomic", 3, Map.of("base_url", stub.baseUrl()),
                    Map.of()));
            List<float[]> out = e.embed(List.of("a", "b"));
            assertThat(out.get(0)).containsExactly(1, 2, 3);
            assertThat(out.get(1)).containsExactly(10, 11, 12);
            JsonNode body = stub.requests.getFirst().body();
            assertThat(stub.requests.getFirst().path()).isEqualTo("/api/embed");
            assertThat(body.get("model").asText()).isEqualTo("nomic");
            assertThat(body.get("input").toString()).isEqualTo("[\"a\",\"b\"]");
        }
    }

    @Test
    void ollamaWrongCountOrLengthIsAnError() throws Exception {
        try (var stub = new StubServer(r -> StubServer.Reply.ok("{\"embeddings\":[" + vec(3, 1) + "]}"))) {
            Embedder e = new OllamaEmbedder.Provider().open(spec("ollama", "m", 3, Map.of("base_url", stub.baseUrl()), Map.of()));
            assertThatThrownBy(() -> e.embed(List.of("a", "b"))).hasMessageContaining("1 embeddings for 2 inputs");
            Embedder four = new OllamaEmbedder.Provider().open(spec("ollama", "m", 4, Map.of("base_url", stub.baseUrl()), Map.of()));
            assertThatThrownBy(() -> four.embed(List.of("a"))).hasMessageContaining("3 dimensions, expected 4");
        }
    }

    @Test
    void aClientErrorFailsAtOnceWithTheBody() throws Exception {
        try (var stub = new StubServer(r -> new StubServer.Reply(400, "{\"error\":\"model not found\"}", Map.of()))) {
            Embedder e = new OllamaEmbedder.Provider().open(spec("ollama", "m", 3, Map.of("base_url", stub.baseUrl()), Map.of()));
            assertThatThrownBy(() -> e.embed(List.of("a"))).hasMessageContaining("HTTP 400").hasMessageContaining("model not found");
            assertThat(stub.requests).hasSize(1);
        }
    }

    @Test
    void openAiSendsKeyAndDimensionsAndReordersByIndex() throws Exception {
        try (var stub = new StubServer(r -> StubServer.Reply.ok("{\"data\":[{\"index\":1,\"embedding\":" + vec(2, 5)
                + "},{\"index\":0,\"embedding\":" + vec(2, 1) + "}]}"))) {
            Embedder e = new OpenAiEmbedder.Provider().open(spec("openai", "text-embedding-3-small", 2,
                    Map.of("base_url", stub.baseUrl(), "api_key_env", "MY_KEY"), Map.of("MY_KEY", "sk-test")));
            List<float[]> out = e.embed(List.of("first", "second"));
            assertThat(out.get(0)).containsExactly(1, 2);
            assertThat(out.get(1)).containsExactly(5, 6);
            var seen = stub.requests.getFirst();
            assertThat(seen.path()).isEqualTo("/v1/embeddings");
            assertThat(seen.header("Authorization")).isEqualTo("Bearer sk-test");
            assertThat(seen.body().get("dimensions").asInt()).isEqualTo(2);
            assertThat(seen.body().get("model").asText()).isEqualTo("text-embedding-3-small");
        }
    }

    @Test
    void openAiBaseUrlEndingInV1IsNotDoubled() throws Exception {
        try (var stub = new StubServer(r -> StubServer.Reply.ok("{\"data\":[{\"index\":0,\"embedding\":" + vec(2, 1) + "}]}"))) {
            Embedder e = new OpenAiEmbedder.Provider().open(spec("openai", "m", 2,
                    Map.of("base_url", stub.baseUrl() + "/v1/", "api_key_env", "K"), Map.of("K", "x")));
            e.embed(List.of("a"));
            assertThat(stub.requests.getFirst().path()).isEqualTo("/v1/embeddings");
        }
    }

    @Test
    void openAiBadAnswersAreErrors() throws Exception {
        var replies = List.of(
                "{\"data\":[{\"index\":0,\"embedding\":" + vec(2, 1) + "},{\"index\":0,\"embedding\":" + vec(2, 1) + "}]}",
                "{\"data\":[{\"index\":5,\"embedding\":" + vec(2, 1) + "}]}",
                "{\"data\":[{\"index\":0,\"embedding\":" + vec(2, 1) + "}]}",
                "{\"data\":[{\"index\":0,\"embedding\":" + vec(3, 1) + "},{\"index\":1,\"embedding\":" + vec(2, 1) + "}]}");
        var next = new AtomicInteger();
        try (var stub = new StubServer(r -> StubServer.Reply.ok(replies.get(next.getAndIncrement())))) {
            Embedder e = new OpenAiEmbedder.Provider().open(spec("openai", "m", 2,
                    Map.of("base_url", stub.baseUrl(), "api_key_env", "K"), Map.of("K", "x")));
            assertThatThrownBy(() -> e.embed(List.of("a", "b"))).hasMessageContaining("repeated index");
            assertThatThrownBy(() -> e.embed(List.of("a", "b"))).hasMessageContaining("bad or repeated index 5");
            assertThatThrownBy(() -> e.embed(List.of("a", "b"))).hasMessageContaining("missing the embedding of input 1");
            assertThatThrownBy(() -> e.embed(List.of("a", "b"))).hasMessageContaining("3 dimensions, expected 2");
        }
    }

    @Test
    void openAiRetriesRateLimitsAndServerErrorsThenSucceeds() throws Exception {
        var calls = new AtomicInteger();
        try (var stub = new StubServer(r -> switch (calls.getAndIncrement()) {
            case 0 -> new StubServer.Reply(429, "{\"error\":\"slow down\"}", Map.of("Retry-After", "0"));
            case 1 -> new StubServer.Reply(503, "", Map.of());
            default -> StubServer.Reply.ok("{\"data\":[{\"index\":0,\"embedding\":" + vec(2, 1) + "}]}");
        })) {
            Embedder e = new OpenAiEmbedder.Provider().open(spec("openai", "m", 2, Map.of("base_url", stub.baseUrl(),
                    "api_key_env", "K", "retry_backoff", "1ms"), Map.of("K", "x")));
            assertThat(e.embed(List.of("a")).getFirst()).containsExactly(1, 2);
            assertThat(stub.requests).hasSize(3);
        }
    }

    @Test
    void retriesAreBoundedAndTheLastFailureIsReported() throws Exception {
        try (var stub = new StubServer(r -> new StubServer.Reply(500, "{\"error\":\"boom\"}", Map.of()))) {
            Embedder e = new OpenAiEmbedder.Provider().open(spec("openai", "m", 2, Map.of("base_url", stub.baseUrl(),
                    "api_key_env", "K", "retry_backoff", "1ms", "max_retries", "2"), Map.of("K", "sk-secret")));
            assertThatThrownBy(() -> e.embed(List.of("a"))).hasMessageContaining("HTTP 500").hasMessageContaining("boom")
                    .hasMessageContaining("after 3 attempts").satisfies(t -> assertThat(t.getMessage()).doesNotContain("sk-secret"));
            assertThat(stub.requests).hasSize(3);
        }
    }

    @Test
    void aSlowProviderTimesOut() throws Exception {
        try (var stub = new StubServer(r -> {
            try {
                Thread.sleep(2000);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return StubServer.Reply.ok("{}");
        })) {
            Embedder e = new OllamaEmbedder.Provider().open(spec("ollama", "m", 2, Map.of("base_url", stub.baseUrl(),
                    "timeout", "200ms", "max_retries", "0"), Map.of()));
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> e.embed(List.of("a"))).hasMessageContaining("HttpTimeoutException");
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1900);
        }
    }

    @Test
    void openAiSplitsBatchesAtMaxBatch() throws Exception {
        try (var stub = new StubServer(r -> {
            var items = new ArrayList<String>();
            for (int i = 0; i < r.body().get("input").size(); i++) {
                items.add("{\"index\":" + i + ",\"embedding\":" + vec(1, r.body().get("input").get(i).asInt()) + "}");
            }
            return StubServer.Reply.ok("{\"data\":[" + String.join(",", items) + "]}");
        })) {
            Embedder e = new OpenAiEmbedder.Provider().open(spec("openai", "m", 1, Map.of("base_url", stub.baseUrl(),
                    "api_key_env", "K", "max_batch", "2"), Map.of("K", "x")));
            List<float[]> out = e.embed(List.of("1", "2", "3", "4", "5"));
            assertThat(out.stream().map(v -> v[0]).toList()).containsExactly(1f, 2f, 3f, 4f, 5f);
            assertThat(stub.requests).hasSize(3);
        }
    }

    @Test
    void configurationErrorsNameTheOption() {
        assertThatThrownBy(() -> new OpenAiEmbedder.Provider().open(spec("openai", "m", 2,
                Map.of("api_key_env", "NOPE"), Map.of()))).hasMessageContaining("api_key_env").hasMessageContaining("NOPE");
        assertThatThrownBy(() -> new OpenAiEmbedder.Provider().open(spec("openai", "", 2, Map.of(), Map.of())))
                .hasMessageContaining("model");
        assertThatThrownBy(() -> new OllamaEmbedder.Provider().open(spec("ollama", "m", 2,
                Map.of("base_url", "ftp://x"), Map.of()))).hasMessageContaining("base_url");
        assertThatThrownBy(() -> new OllamaEmbedder.Provider().open(spec("ollama", "m", 2,
                Map.of("timeout", "soon"), Map.of()))).hasMessageContaining("timeout");
    }

    @Test
    void theCacheSendsOnlyMissesAndEachTextOnce() throws Exception {
        try (var stub = new StubServer(r -> {
            var rows = new ArrayList<String>();
            r.body().get("input").forEach(t -> rows.add(vec(2, t.asText().length())));
            return StubServer.Reply.ok("{\"embeddings\":[" + String.join(",", rows) + "]}");
        })) {
            var cached = new CachingEmbedder(new OllamaEmbedder.Provider().open(spec("ollama", "m", 2,
                    Map.of("base_url", stub.baseUrl()), Map.of())), 100);
            List<float[]> first = cached.embed(List.of("aa", "bbb", "aa"));
            assertThat(first.get(0)).containsExactly(2, 3);
            assertThat(first.get(2)).containsExactly(2, 3);
            assertThat(stub.requests.getFirst().body().get("input").toString()).isEqualTo("[\"aa\",\"bbb\"]");
            first.get(0)[0] = 99; // callers cannot poison the cache
            List<float[]> second = cached.embed(List.of("bbb", "cccc", "aa"));
            assertThat(second.get(2)).containsExactly(2, 3);
            assertThat(stub.requests.get(1).body().get("input").toString()).isEqualTo("[\"cccc\"]");
            assertThat(cached.embed(List.of("AA")).getFirst()).as("case-sensitive key").containsExactly(2, 3);
            assertThat(stub.requests).hasSize(3);
            assertThat(cached.hits()).isEqualTo(2);
            assertThat(cached.misses()).isEqualTo(4);
        }
    }

    @Test
    void theCacheIsBoundedLeastRecentlyUsedFirst() {
        var calls = new HashMap<String, Integer>();
        Embedder counting = new Embedder() {
            @Override
            public List<float[]> embed(List<String> texts) {
                texts.forEach(t -> calls.merge(t, 1, Integer::sum));
                return texts.stream().map(t -> new float[] {t.length()}).toList();
            }

            @Override
            public int dimensions() {
                return 1;
            }

            @Override
            public String model() {
                return "counting";
            }
        };
        var cached = new CachingEmbedder(counting, 2);
        cached.embed(List.of("a"));
        cached.embed(List.of("b"));
        cached.embed(List.of("a")); // a is now the most recent
        cached.embed(List.of("c")); // evicts b
        cached.embed(List.of("a"));
        cached.embed(List.of("b"));
        assertThat(calls).containsEntry("a", 1).containsEntry("b", 2).containsEntry("c", 1);
        assertThat(CachingEmbedder.wrap(counting, -1)).isSameAs(counting);
    }
}
