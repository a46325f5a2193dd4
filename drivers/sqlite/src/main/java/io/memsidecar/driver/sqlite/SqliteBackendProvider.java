package io.memsidecar.driver.sqlite;

import io.memsidecar.core.spi.Backend;
import io.memsidecar.core.spi.BackendProvider;
import io.memsidecar.core.spi.BackendSpec;

/**
 * {@code driver: sqlite}: a durable store in one file on the node. Options: {@code path} (the
 * database file; its directory is created), {@code synchronous} ({@code full}, the default: a
 * write is on disk when it returns; {@code normal}: a power loss may take the last writes, a
 * process crash does not), {@code sweeper_interval} (5m; 0 turns it off). Serves kv, episodic,
 * lease and graph.
 */
public final class SqliteBackendProvider implements BackendProvider {
    static final String DRIVER = "sqlite";

    @Override
    public String driver() {
        return DRIVER;
    }

    @Override
    public Backend open(BackendSpec spec) {
        return new SqliteBackend(spec);
    }
}
