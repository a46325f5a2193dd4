package io.memsidecar.artifact;

import io.memsidecar.artifact.spi.ArtifactStore;

/** A configured artifact namespace and its store. */
public record ArtifactNamespace(String name, ArtifactStore store) {
}
