package io.memsidecar.driver.postgres;

import java.sql.Connection;
import java.sql.SQLException;

/** One transaction of the driver: committed when its work returns, rolled back when it fails. */
final class Transactions {
    private Transactions() {
    }

    /** Work in a transaction on its connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one transaction on {@code c}: commit after it, {@link #rollback} when it throws. */
    static <T> T in(Connection c, Work<T> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            rollback(c, e);
            throw e;
        }
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
