package io.memsidecar.driver.postgres;

import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One PostgreSQL backend (sweeper off) for a test class:
 * {@code @RegisterExtension static final TestBackend DB = new TestBackend();}.
 */
final class TestBackend implements BeforeAllCallback, AfterAllCallback {
    private PostgresBackend backend;

    @Override
    public void beforeAll(ExtensionContext context) {
        backend = TestDatabase.open(Map.of("sweeper_interval", "0"));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (backend != null) {
            backend.close();
        }
    }

    PostgresBackend backend() {
        return backend;
    }
}
