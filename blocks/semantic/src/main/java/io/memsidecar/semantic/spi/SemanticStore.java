package io.memsidecar.semantic.spi;

/**
 * The semantic driver SPI, one per backend. A configured namespace is opened once at startup:
 * that is where the driver creates or checks its storage (table, HNSW index, text index), and a
 * failure there fails startup with the reason instead of degrading silently.
 */
public interface SemanticStore {
    SemanticIndex open(IndexSpec spec);
}
