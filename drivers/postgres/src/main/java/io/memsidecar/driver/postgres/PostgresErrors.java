package io.memsidecar.driver.postgres;

import io.memsidecar.core.ApiException;
import io.memsidecar.core.Code;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * The API error for a failed statement, for every store of the driver: the database unreachable,
 * restarting or shutting down is UNAVAILABLE (a client retries it), anything else INTERNAL. The message
 * names the SQLSTATE, never the DSN, and says whether a write may have been applied.
 */
final class PostgresErrors {
    private PostgresErrors() {
    }

    static ApiException failure(String op, SQLException e) {
        if (noConnection(e)) {
            return new ApiException(Code.UNAVAILABLE, op + ": PostgreSQL unavailable: no connection could be had ("
                    + e.getSQLState() + "); nothing was applied", e);
        }
        if (outage(e)) {
            return new ApiException(Code.UNAVAILABLE, op + ": PostgreSQL unavailable: the connection was lost ("
                    + state(e) + "); a write may have been applied — retry it where it is safe to"
                    + " (if_version, dedup_key)", e);
        }
        return ApiException.internal(op + ": database error (" + e.getSQLState() + ")", e);
    }

    /** A failure of the database's reachability (down, restarting, starting up, full), not of the statement or the login. */
    static boolean outage(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof SQLException s && s.getSQLState() != null && outage(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** No connection was had, so the statement never reached the database: the pool's timeout
     * (HikariCP's SQLTransientConnectionException), or a connection refused or not accepted now. */
    private static boolean noConnection(SQLException e) {
        String state = e.getSQLState();
        return e instanceof SQLTransientConnectionException
                || "08001".equals(state) || "08004".equals(state) || "57P03".equals(state) || "53300".equals(state);
    }

    /** SQLSTATE class 08 (connection exception), 57P01–57P03 (admin shutdown, crash shutdown, cannot
     * connect now), 53300 (too many connections). */
    private static boolean outage(String state) {
        return state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                || state.equals("53300");
    }

    /** The first SQLSTATE in the cause chain. */
    private static String state(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                return s.getSQLState();
            }
        }
        return "no SQLSTATE";
    }
}
