package io.memsidecar.driver.postgres;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Which failures of a statement are the database being unreachable rather than a bug: SQLSTATE class 08
 * (connection exception), 57P01–57P03 (admin shutdown, crash shutdown, cannot connect now), 53300 (too
 * many connections), and the pool's timeout waiting for a connection (HikariCP's
 * SQLTransientConnectionException), anywhere in the cause chain.
 */
final class PostgresOutage {
    private PostgresOutage() {
    }

    /** No connection was had: the statement never reached the database. */
    static boolean noConnection(SQLException e) {
        return e instanceof SQLTransientConnectionException
                || (e.getSQLState() != null && (e.getSQLState().equals("08001") || e.getSQLState().equals("08004")
                || e.getSQLState().equals("57P03") || e.getSQLState().equals("53300")));
    }

    /** The connection broke or the server went away while the statement ran. */
    static boolean connectionLost(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null && outage(s.getSQLState())) {
                return true;
            }
            if (t instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }

    /** The first SQLSTATE in the cause chain. */
    static String state(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                return s.getSQLState();
            }
        }
        return "no SQLSTATE";
    }

    private static boolean outage(String state) {
        return state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                || state.equals("53300");
    }
}
