package io.memsidecar.episodic;

import io.memsidecar.episodic.spi.EpisodicStore;
import java.util.Optional;

/** A configured episodic namespace, its store and its retention. */
public record EpisodicNamespace(String name, EpisodicStore store, Optional<Retention> retention) {
}
