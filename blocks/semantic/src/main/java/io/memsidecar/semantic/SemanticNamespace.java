package io.memsidecar.semantic;

import io.memsidecar.semantic.spi.Embedder;
import io.memsidecar.semantic.spi.SemanticIndex;

/** A configured semantic namespace: its opened index and its (caching) embedder. */
public record SemanticNamespace(String name, SemanticIndex index, Embedder embedder) {
}
