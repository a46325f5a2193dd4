package io.memsidecar.core;

import java.util.Optional;

/**
 * The messages of a client stream after the first one, pulled by the handler. {@link #next()}
 * blocks until the client sends more; empty means the client finished. The transport asks the
 * client for the next message only once this one is taken, so a stream never piles up in memory.
 */
@FunctionalInterface
public interface Source<Q> {
    /** The next message, or empty at the end; CANCELLED when the client went away. */
    Optional<Q> next();

    static <Q> Source<Q> empty() {
        return Optional::empty;
    }
}
