package io.memsidecar.embedder;

import com.fasterxml.jackson.databind.JsonNode;
import io.memsidecar.semantic.spi.Embedder;
import io.memsidecar.semantic.spi.EmbedderProvider;
import io.memsidecar.semantic.spi.EmbedderSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code provider: ollama} (spec §7): POST {@code {base_url}/api/embed} with
 * {@code {model, input:[...]}}, answer {@code {embeddings:[[...]]}}; count and every length are
 * checked against the configured dimensions.
 */
public final class OllamaEmbedder implements Embedder {
    private final HttpEmbedding http;
    private final String model;
    private final int dimensions;
    private final int maxBatch;

    private OllamaEmbedder(EmbedderSpec spec) {
        var o = spec.options();
        this.model = spec.model();
        this.dimensions = spec.dimensions();
        this.maxBatch = o.integer("max_batch", 0);
        this.http = new HttpEmbedding(HttpEmbedding.endpoint(o, "http://localhost:11434", "/api/embed"), Map.of(), o);
    }

    public static final class Provider implements EmbedderProvider {
        @Override
        public String provider() {
            return "ollama";
        }

        @Override
        public Embedder open(EmbedderSpec spec) {
            if (spec.model().isEmpty()) {
                throw spec.options().invalid("model", "is required for ollama");
            }
            return new OllamaEmbedder(spec);
        }
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        var out = new ArrayList<float[]>(texts.size());
        for (List<String> batch : HttpEmbedding.batches(texts, maxBatch)) {
            JsonNode answer = http.post(Map.of("model", model, "input", batch));
            JsonNode embeddings = answer.get("embeddings");
            if (embeddings == null || !embeddings.isArray() || embeddings.size() != batch.size()) {
                throw new IllegalStateException("ollama returned " + (embeddings == null ? 0 : embeddings.size())
                        + " embeddings for " + batch.size() + " inputs");
            }
            for (int i = 0; i < batch.size(); i++) {
                out.add(HttpEmbedding.vector(embeddings.get(i), dimensions, "ollama embedding " + i));
            }
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
