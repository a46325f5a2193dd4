package io.memsidecar.embedder;

import com.fasterxml.jackson.databind.JsonNode;
import io.memsidecar.semantic.spi.Embedder;
import io.memsidecar.semantic.spi.EmbedderProvider;
import io.memsidecar.semantic.spi.EmbedderSpec;
import java.util.ArrayList;
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
public final class OpenAiEmbedder implements Embedder {
    private final HttpEmbedding http;
    private final String model;
    private final int dimensions;
    private final int maxBatch;

    private OpenAiEmbedder(EmbedderSpec spec, String apiKey) {
        var o = spec.options();
        this.model = spec.model();
        this.dimensions = spec.dimensions();
        this.maxBatch = o.integer("max_batch", 2048);
        String base = o.string("base_url").orElse("https://api.openai.com").replaceAll("/+$", "");
        String path = base.endsWith("/v1") ? "/embeddings" : "/v1/embeddings";
        this.http = new HttpEmbedding(HttpEmbedding.endpoint(o, "https://api.openai.com", path),
                Map.of("Authorization", "Bearer " + apiKey), o);
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
    public List<float[]> embed(List<String> texts) {
        var out = new ArrayList<float[]>(texts.size());
        for (List<String> batch : HttpEmbedding.batches(texts, maxBatch)) {
            JsonNode answer = http.post(Map.of("model", model, "input", batch, "dimensions", dimensions));
            JsonNode data = answer.get("data");
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
            out.addAll(List.of(ordered));
        }
        return out;
    }

    @Override
    public int dimensions() {
        return dimensions;
    }

    @Override
    public String model() {
        return model;
    }
}
