package io.memsidecar.driver.postgres;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Where HikariCP gets its connections: pgJDBC's driver, except that once the pool is running an
 * attempt the database refuses for an outage (down, restarting, starting up, too many connections)
 * waits and tries again every {@link #RETRY_MILLIS} rather than failing. HikariCP's connection
 * adder sleeps after each failed attempt, doubling up to 5 s (not configurable), so a pool whose
 * database was down for a few seconds came back up to 5 s after the database did; a patient attempt
 * succeeds as soon as the database accepts. Callers are not held up by it: each waits for the pool
 * only as long as its deadline allows. Other failures (a wrong password, no such database) fail at
 * once, as at start-up, when the database must be there.
 */
final class PatientConnections implements DataSource {
    static final long RETRY_MILLIS = 50;

    private final String jdbcUrl;
    private volatile boolean patient;
    private volatile int loginTimeoutSeconds;

    PatientConnections(String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
    }

    /** From now on (the pool is up) an outage is waited out; until {@link #close()}. */
    void bePatient() {
        patient = true;
    }

    void close() {
        patient = false;
    }

    @Override
    public Connection getConnection() throws SQLException {
        var props = new Properties();
        if (loginTimeoutSeconds > 0) {
            props.setProperty("loginTimeout", String.valueOf(loginTimeoutSeconds));
        }
        while (true) {
            try {
                return DriverManager.getConnection(jdbcUrl, props);
            } catch (SQLException e) {
                if (!patient || !PostgresErrors.outage(e)) {
                    throw e;
                }
                try {
                    Thread.sleep(RETRY_MILLIS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the credentials are in the URL");
    }

    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeoutSeconds = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeoutSeconds;
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // not used
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return false;
    }
}
