package io.memsidecar.semantic.spi;

import io.memsidecar.core.Options;
import java.util.Map;

/**
 * A namespace's {@code embedder} config: provider, model (may be empty for providers with a
 * fixed one), dimensions, provider options, and the environment to read secrets from.
 */
public record EmbedderSpec(String provider, String model, int dimensions, Options options, Map<String, String> env) {
}
