package io.memsidecar.driver.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.memsidecar.core.Deadline;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The HikariCP pool, whose waits follow the running call's {@link Deadline}: a connection is waited
 * for at most {@code connect_timeout} and never past the call's budget ({@link Deadline#budgetNanos},
 * the deadline less a margin so that the answer — UNAVAILABLE — reaches the caller first), and the
 * connection's socket timeout is that budget too, so a statement to a database that stopped answering
 * ends in about the deadline. Without a deadline (the sweeper) the pool's own {@code connectionTimeout}
 * ({@code connect_timeout}) applies. HikariCP resets the socket timeout when the connection goes back.
 */
final class DeadlinePool extends HikariDataSource {
    /** The connection of the snapshot this thread reads in, if any (see {@link #snapshot}). */
    private static final ThreadLocal<Pinned> PINNED = new ThreadLocal<>();

    private record Pinned(DeadlinePool pool, Connection connection) {
    }

    /** What a store may call on the snapshot's connection that must not end or change its transaction (rollback() without a savepoint). */
    private static final java.util.Set<String> SNAPSHOT_OWNED =
            java.util.Set.of("close", "commit", "rollback", "setAutoCommit", "setReadOnly", "setTransactionIsolation");

    DeadlinePool(HikariConfig config) {
        super(config);
    }

    /**
     * Runs {@code reads} in one read-only REPEATABLE READ transaction on one connection: meanwhile every
     * {@link #getConnection} of this pool on this thread returns that connection, whose close, commit,
     * rollback and transaction settings do nothing — so every store of this backend reads the same
     * snapshot, and now() is the same instant in each of them. Nested, it joins the outer snapshot.
     */
    <T> T snapshot(String op, Supplier<T> reads) {
        Pinned open = PINNED.get();
        if (open != null && open.pool() == this) {
            return reads.get();
        }
        try (Connection c = getConnection()) {
            return Transactions.in(c, tx -> {
                try (var st = tx.createStatement()) {
                    st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                }
                PINNED.set(new Pinned(this, pinned(tx)));
                try {
                    return reads.get();
                } finally {
                    PINNED.remove();
                }
            });
        } catch (SQLException e) {
            throw PostgresErrors.failure(op, e);
        }
    }

    /** The snapshot's connection as the stores see it: closing or ending its transaction is the snapshot's business. */
    private static Connection pinned(Connection c) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (SNAPSHOT_OWNED.contains(method.getName()) && method.getParameterCount() == (args == null ? 0 : 1)
                            && !(method.getName().equals("rollback") && args != null)) {
                        return null;
                    }
                    try {
                        return method.invoke(c, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public Connection getConnection() throws SQLException {
        Pinned p = PINNED.get();
        if (p != null && p.pool() == this) {
            return p.connection();
        }
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
