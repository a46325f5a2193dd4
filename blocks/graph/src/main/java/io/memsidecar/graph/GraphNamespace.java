package io.memsidecar.graph;

import io.memsidecar.graph.spi.GraphStore;

/** A configured graph namespace and its store. */
public record GraphNamespace(String name, GraphStore store) {
}
