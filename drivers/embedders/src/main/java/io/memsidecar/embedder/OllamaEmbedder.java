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
public final class OllamaEmbedder extends HttpEmbedder {
    private OllamaEmbedder(EmbedderSpec spec) {
        super(new HttpEmbedding(HttpEmbedding.endpoint(spec.options(), "http://localhost:11434", "/api/embed"), Map.of(),
                spec.options()), spec.model(), spec.dimensions(), spec.options().integer("max_batch", 0));
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
    List<float[]> embedBatch(List<String> batch) {
        JsonNode embeddings = http.post(Map.of("model", model, "input", batch)).get("embeddings");
        if (embeddings == null || !embeddings.isArray() || embeddings.size() != batch.size()) {
            throw new IllegalStateException("ollama returned " + (embeddings == null ? 0 : embeddings.size())
                    + " embeddings for " + batch.size() + " inputs");
        }
        var out = new ArrayList<float[]>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            out.add(HttpEmbedding.vector(embeddings.get(i), dimensions, "ollama embedding " + i));
        }
        return out;
    }
}
