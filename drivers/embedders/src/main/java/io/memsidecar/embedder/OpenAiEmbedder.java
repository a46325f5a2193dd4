package io.memsidecar.embedder;

import com.fasterxml.jackson.databind.JsonNode;
import io.memsidecar.semantic.spi.Embedder;
import io.memsidecar.semantic.spi.EmbedderProvider;
import io.memsidecar.semantic.spi.EmbedderSpec;
import java.util.List;
import java.util.Map;

/**
 * {@code provider: openai} (spec §7), for OpenAI and compatible servers: POST
 * {@code {base_url}/v1/embeddings} with {@code {model, input, dimensions}} (always sent) and
 * {@code Authorization: Bearer} the key read from {@code api_key_env} at startup. The items
 * ({@code {index, embedding}}) are put back in request order; a bad or repeated index, a missing
 * item or a wrong length is an error. Inputs are sent in batches of at most {@code max_batch}
 * (2048, the API's limit).
 */
public final class OpenAiEmbedder extends HttpEmbedder {
    private static final String DEFAULT_BASE = "https://api.openai.com";

    private OpenAiEmbedder(EmbedderSpec spec, String apiKey) {
        super(new HttpEmbedding(HttpEmbedding.endpoint(spec.options(), DEFAULT_BASE, path(spec)),
                Map.of("Authorization", "Bearer " + apiKey), spec.options()), spec.model(), spec.dimensions(),
                spec.options().integer("max_batch", 2048));
    }

    /** {@code /v1/embeddings}, or {@code /embeddings} when the base URL already ends in {@code /v1}. */
    private static String path(EmbedderSpec spec) {
        return HttpEmbedding.baseUrl(spec.options(), DEFAULT_BASE).endsWith("/v1") ? "/embeddings" : "/v1/embeddings";
    }

    public static final class Provider implements EmbedderProvider {
        @Override
        public String provider() {
            return "openai";
        }

        @Override
        public Embedder open(EmbedderSpec spec) {
            var o = spec.options();
            if (spec.model().isEmpty()) {
                throw o.invalid("model", "is required for openai");
            }
            String env = o.string("api_key_env").orElseThrow(() -> o.invalid("api_key_env",
                    "is required for openai (the environment variable holding the API key)"));
            String key = spec.env().get(env);
            if (key == null || key.isBlank()) {
                throw o.invalid("api_key_env", "environment variable " + env + " is empty");
            }
            return new OpenAiEmbedder(spec, key.strip());
        }
    }

    @Override
    List<float[]> embedBatch(List<String> batch) {
        JsonNode data = http.post(Map.of("model", model, "input", batch, "dimensions", dimensions)).get("data");
        if (data == null || !data.isArray()) {
            throw new IllegalStateException("openai answer has no data array");
        }
        var ordered = new float[batch.size()][];
        for (JsonNode item : data) {
            JsonNode index = item.get("index");
            if (index == null || !index.canConvertToInt() || index.asInt() < 0 || index.asInt() >= batch.size()
                    || ordered[index.asInt()] != null) {
                throw new IllegalStateException("openai answer has a bad or repeated index " + index);
            }
            ordered[index.asInt()] = HttpEmbedding.vector(item.get("embedding"), dimensions,
                    "openai embedding " + index.asInt());
        }
        for (int i = 0; i < ordered.length; i++) {
            if (ordered[i] == null) {
                throw new IllegalStateException("openai answer is missing the embedding of input " + i);
            }
        }
        return List.of(ordered);
    }
}
