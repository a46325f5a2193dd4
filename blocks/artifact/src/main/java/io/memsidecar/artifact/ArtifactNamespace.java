package io.memsidecar.artifact;

import io.memsidecar.artifact.spi.ArtifactStore;

/** A configured artifact namespace, its store and its size limit per artifact ({@code maxSize} <= 0: none). */
public record ArtifactNamespace(String name, ArtifactStore store, long maxSize) {
    public ArtifactNamespace(String name, ArtifactStore store) {
        this(name, store, 0);
    }
}
