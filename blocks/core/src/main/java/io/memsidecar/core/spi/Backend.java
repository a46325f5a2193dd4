package io.memsidecar.core.spi;

import java.util.Optional;

/**
 * One configured backend instance. It may serve several namespaces and several blocks: a block
 * asks it for its store SPI, and gets nothing when the driver does not support that block.
 */
public interface Backend extends AutoCloseable {
    String name();

    String driver();

    /** The store for a block's SPI type, e.g. {@code KvStore.class}, when this driver has one. */
    <T> Optional<T> store(Class<T> spi);

    /** Readiness: returns when the backend can serve, throws with the reason otherwise. */
    void check();

    @Override
    void close();
}
