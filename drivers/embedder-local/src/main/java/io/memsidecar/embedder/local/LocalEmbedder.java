package io.memsidecar.embedder.local;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import io.memsidecar.semantic.spi.Embedder;
import io.memsidecar.semantic.spi.EmbedderProvider;
import io.memsidecar.semantic.spi.EmbedderSpec;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code provider: local}: a sentence-embedding model run in-process on ONNX Runtime, with no
 * network — real semantic search on an edge node. The model is the quantized all-MiniLM-L6-v2
 * (384 dimensions, ~23 MB) that LangChain4j ships inside its Maven artifact; it is loaded once at
 * startup. Texts longer than the model's 256-token window are embedded in windows and averaged
 * by LangChain4j.
 */
public final class LocalEmbedder implements Embedder {
    public static final String MODEL = "all-minilm-l6-v2-q";
    public static final int DIMENSIONS = 384;

    private final ExecutorService executor;
    private final AllMiniLmL6V2QuantizedEmbeddingModel model;

    LocalEmbedder() {
        // One virtual thread per text of a batch: ONNX Runtime sessions are thread-safe.
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        this.model = new AllMiniLmL6V2QuantizedEmbeddingModel(executor);
    }

    public static final class Provider implements EmbedderProvider {
        @Override
        public String provider() {
            return "local";
        }

        @Override
        public Embedder open(EmbedderSpec spec) {
            if (!spec.model().isEmpty() && !spec.model().equals(MODEL)) {
                throw spec.options().invalid("model", "the local provider ships only \"" + MODEL + "\", got \""
                        + spec.model() + "\"");
            }
            if (spec.dimensions() != DIMENSIONS) {
                throw spec.options().invalid("dimensions", MODEL + " has " + DIMENSIONS + " dimensions, got "
                        + spec.dimensions());
            }
            return new LocalEmbedder();
        }
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        List<Embedding> out = model.embedAll(texts.stream().map(TextSegment::from).toList()).content();
        return out.stream().map(Embedding::vector).toList();
    }

    @Override
    public int dimensions() {
        return DIMENSIONS;
    }

    @Override
    public String model() {
        return MODEL;
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}
