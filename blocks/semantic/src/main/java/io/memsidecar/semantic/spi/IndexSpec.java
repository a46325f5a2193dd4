package io.memsidecar.semantic.spi;

import java.util.Objects;

/**
 * What a driver needs to lay out one configured namespace: its config name, the dimensions of
 * every vector, the distance that ranks them, the PostgreSQL full-text configuration of the
 * sparse lane, and the HNSW parameters ({@code efSearch} is also the minimum candidate list of a
 * search). Drivers that search exactly ignore the HNSW parameters.
 */
public record IndexSpec(String namespace, int dimensions, Distance distance, String textSearch,
                        int hnswM, int hnswEfConstruction, int hnswEfSearch) {
    public static final String DEFAULT_TEXT_SEARCH = "simple";

    public IndexSpec {
        Objects.requireNonNull(namespace);
        Objects.requireNonNull(distance);
        Objects.requireNonNull(textSearch);
        if (dimensions <= 0) {
            throw new IllegalArgumentException("dimensions must be > 0");
        }
    }

    /** A namespace opened again: IllegalArgumentException unless {@code again} has this one's dimensions and distance. */
    public void requireSameLayout(IndexSpec again) {
        if (again.dimensions() != dimensions || again.distance() != distance) {
            throw new IllegalArgumentException("semantic namespace " + namespace + " is already open with " + dimensions
                    + " dimensions (" + distance.configName() + ")");
        }
    }

    public static IndexSpec of(String namespace, int dimensions) {
        return new IndexSpec(namespace, dimensions, Distance.COSINE, DEFAULT_TEXT_SEARCH, 16, 64, 100);
    }
}
