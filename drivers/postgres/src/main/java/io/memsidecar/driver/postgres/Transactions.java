package io.memsidecar.driver.postgres;

import java.sql.Connection;
import java.sql.SQLException;

/** What every failed transaction of the driver does before it rethrows. */
final class Transactions {
    private Transactions() {
    }

    /**
     * Rolls back without masking {@code failure}: HikariCP closes a connection whose error it
     * deems fatal (PostgreSQL's 0A000, e.g. {@code extension "vector" is not available}), and the
     * rollback's "Connection is closed" must not replace the error that says what is wrong.
     */
    static void rollback(Connection c, Exception failure) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }
}
