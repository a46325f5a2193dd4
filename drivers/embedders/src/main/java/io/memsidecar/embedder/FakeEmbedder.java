package io.memsidecar.embedder;

import io.memsidecar.semantic.spi.Embedder;
import io.memsidecar.semantic.spi.EmbedderProvider;
import io.memsidecar.semantic.spi.EmbedderSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;

/**
 * {@code provider: fake} (spec §7): deterministic and not semantic. SHA-256 of the lower-cased
 * text, read as 8 little-endian uint32s mapped to [-1, 1]; the digest is re-hashed for every next
 * 8 values; the vector is L2-normalised. Identical text, identical vector — for tests and demos.
 */
public final class FakeEmbedder implements Embedder {
    private static final double MAX_UINT32 = 4294967295.0;
    private final int dimensions;
    private final String model;

    public FakeEmbedder(int dimensions, String model) {
        this.dimensions = dimensions;
        this.model = model;
    }

    public static final class Provider implements EmbedderProvider {
        @Override
        public String provider() {
            return "fake";
        }

        @Override
        public Embedder open(EmbedderSpec spec) {
            return new FakeEmbedder(spec.dimensions(), spec.model().isEmpty() ? "fake" : spec.model());
        }
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        return texts.stream().map(this::vector).toList();
    }

    float[] vector(String text) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] digest = sha.digest(text.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
        var v = new float[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            int slot = i % 8;
            if (i > 0 && slot == 0) {
                digest = sha.digest(digest);
            }
            long u = Integer.toUnsignedLong(ByteBuffer.wrap(digest, slot * 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
            v[i] = (float) (u / MAX_UINT32 * 2 - 1);
            norm += (double) v[i] * v[i];
        }
        double n = Math.sqrt(norm);
        if (n > 0) {
            for (int i = 0; i < dimensions; i++) {
                v[i] = (float) (v[i] / n);
            }
        }
        return v;
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
