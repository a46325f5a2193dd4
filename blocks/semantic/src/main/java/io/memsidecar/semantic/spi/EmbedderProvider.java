package io.memsidecar.semantic.spi;

/**
 * Opens embedders of one provider kind ({@code fake}, {@code ollama}, {@code openai},
 * {@code local}), found with {@link java.util.ServiceLoader} by the {@code embedder.provider}
 * of a namespace's config.
 */
public interface EmbedderProvider {
    String provider();

    /** Opens the embedder; fails with an {@link IllegalArgumentException} naming the bad option. */
    Embedder open(EmbedderSpec spec);
}
