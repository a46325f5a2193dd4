package io.memsidecar.semantic;

import io.memsidecar.semantic.spi.Embedder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded LRU in front of a namespace's embedder (spec §7), keyed by (model, SHA-256 of the
 * exact text): re-upserting the same text never calls the provider again. Only misses go to the
 * provider, a text repeated inside one batch is sent once, and vectors are copied in and out so
 * a caller cannot change a cached one.
 */
public final class CachingEmbedder implements Embedder {
    public static final int DEFAULT_CAPACITY = 4096;

    private final Embedder delegate;
    private final Map<String, float[]> cache;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    public CachingEmbedder(Embedder delegate, int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be > 0");
        }
        this.delegate = delegate;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The cache for {@code cacheSize} as configured: 0 = default capacity, negative = no cache. */
    public static Embedder wrap(Embedder delegate, int cacheSize) {
        return cacheSize < 0 ? delegate : new CachingEmbedder(delegate, cacheSize == 0 ? DEFAULT_CAPACITY : cacheSize);
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        var out = new float[texts.size()][];
        var keys = new String[texts.size()];
        var missing = new LinkedHashMap<String, String>(); // key -> text, each once
        synchronized (cache) {
            for (int i = 0; i < texts.size(); i++) {
                keys[i] = key(texts.get(i));
                float[] v = cache.get(keys[i]);
                if (v != null) {
                    out[i] = v.clone();
                    hits.incrementAndGet();
                } else {
                    missing.putIfAbsent(keys[i], texts.get(i));
                }
            }
        }
        if (!missing.isEmpty()) {
            misses.addAndGet(missing.size());
            List<float[]> fresh = delegate.embed(new ArrayList<>(missing.values()));
            var byKey = new LinkedHashMap<String, float[]>();
            int j = 0;
            for (String k : missing.keySet()) {
                byKey.put(k, fresh.get(j++).clone());
            }
            synchronized (cache) {
                cache.putAll(byKey);
            }
            for (int i = 0; i < out.length; i++) {
                if (out[i] == null) {
                    out[i] = byKey.get(keys[i]).clone();
                }
            }
        }
        return List.of(out);
    }

    private String key(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return delegate.model() + "\u0000" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int dimensions() {
        return delegate.dimensions();
    }

    @Override
    public String model() {
        return delegate.model();
    }

    public long hits() {
        return hits.get();
    }

    public long misses() {
        return misses.get();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
