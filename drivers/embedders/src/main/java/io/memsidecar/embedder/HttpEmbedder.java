package io.memsidecar.embedder;

import io.memsidecar.semantic.spi.Embedder;
import java.util.ArrayList;
import java.util.List;

/**
 * What the network embedders share: model, dimensions, the HTTP client, and sending the inputs
 * in batches of at most {@code maxBatch} (0 = one request for everything), in order.
 */
abstract class HttpEmbedder implements Embedder {
    final HttpEmbedding http;
    final String model;
    final int dimensions;
    private final int maxBatch;

    HttpEmbedder(HttpEmbedding http, String model, int dimensions, int maxBatch) {
        this.http = http;
        this.model = model;
        this.dimensions = dimensions;
        this.maxBatch = maxBatch;
    }

    /** One provider request: exactly one vector of {@link #dimensions} per text, in order. */
    abstract List<float[]> embedBatch(List<String> batch);

    @Override
    public final List<float[]> embed(List<String> texts) {
        if (maxBatch <= 0 || texts.size() <= maxBatch) {
            return embedBatch(texts);
        }
        var out = new ArrayList<float[]>(texts.size());
        for (int i = 0; i < texts.size(); i += maxBatch) {
            out.addAll(embedBatch(texts.subList(i, Math.min(texts.size(), i + maxBatch))));
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
