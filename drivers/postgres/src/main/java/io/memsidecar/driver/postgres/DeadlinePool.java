package io.memsidecar.driver.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.memsidecar.core.Deadline;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.TimeUnit;

/**
 * The HikariCP pool, whose waits follow the running call's {@link Deadline}: a connection is waited
 * for at most {@code connect_timeout} and never past the call's budget ({@link Deadline#budgetNanos},
 * the deadline less a margin so that the answer — UNAVAILABLE — reaches the caller first), and the
 * connection's socket timeout is that budget too, so a statement to a database that stopped answering
 * ends in about the deadline. Without a deadline (the sweeper) the pool's own {@code connectionTimeout}
 * ({@code connect_timeout}) applies. HikariCP resets the socket timeout when the connection goes back.
 */
final class DeadlinePool extends HikariDataSource {
    DeadlinePool(HikariConfig config) {
        super(config);
    }

    @Override
    public Connection getConnection() throws SQLException {
        long usable = Deadline.budgetNanos();
        if (usable == Long.MAX_VALUE) { // no call's deadline (the sweeper, a stream without one)
            return super.getConnection();
        }
        if (usable <= 0) {
            throw new SQLTransientConnectionException("the call's deadline left no time to wait for a connection");
        }
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(usable));
        Connection c = ((HikariPool) getHikariPoolMXBean()).getConnection(Math.min(getConnectionTimeout(), millis));
        try {
            c.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, millis));
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }
}
