package io.memsidecar.driver.postgres;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.memsidecar.core.Options;
import io.memsidecar.core.spi.BackendSpec;
import java.time.Clock;
import java.util.Map;

/**
 * The database the PostgreSQL suites run against: {@code MEMSIDECAR_TEST_PG_URL}. Without it the
 * suites skip on a developer machine, and fail under {@code CI=true}, where a skipped database
 * suite would hide a broken driver.
 */
public final class TestDatabase {
    private TestDatabase() {
    }

    public static String url() {
        String url = System.getenv("MEMSIDECAR_TEST_PG_URL");
        boolean present = url != null && !url.isBlank();
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true but MEMSIDECAR_TEST_PG_URL is not set: PostgreSQL suites must run");
        }
        assumeTrue(present, "MEMSIDECAR_TEST_PG_URL not set; PostgreSQL suite skipped");
        return url;
    }

    static PostgresBackend open(Map<String, String> extra) {
        var options = new java.util.HashMap<>(Map.of("dsn", url()));
        options.putAll(extra);
        return new PostgresBackend(new BackendSpec("test", new Options("backends[test].options", options),
                Clock.systemUTC()));
    }
}
