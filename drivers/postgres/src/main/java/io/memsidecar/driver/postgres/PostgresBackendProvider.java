package io.memsidecar.driver.postgres;

import io.memsidecar.core.spi.Backend;
import io.memsidecar.core.spi.BackendProvider;
import io.memsidecar.core.spi.BackendSpec;

/**
 * {@code driver: postgres}. Options: {@code dsn} or {@code dsn_env}, {@code max_conns} (10),
 * {@code connect_timeout} (5s: how long a call waits for a connection before UNAVAILABLE),
 * {@code sweeper_interval} (5m; 0 or negative turns it off).
 */
public final class PostgresBackendProvider implements BackendProvider {
    static final String DRIVER = "postgres";

    @Override
    public String driver() {
        return DRIVER;
    }

    @Override
    public Backend open(BackendSpec spec) {
        return new PostgresBackend(spec);
    }
}
