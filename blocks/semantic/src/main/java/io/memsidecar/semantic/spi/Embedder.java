package io.memsidecar.semantic.spi;

import java.util.List;

/**
 * Turns texts into vectors: one vector of {@link #dimensions()} per input, in input order.
 * Blocking; safe from many threads. Failures throw with a message that is safe to show a
 * caller (never a secret).
 */
public interface Embedder extends AutoCloseable {
    List<float[]> embed(List<String> texts);

    int dimensions();

    /** The model name, for cache keys and logs. */
    String model();

    @Override
    default void close() {
    }
}
