package io.memsidecar.driver.sqlite;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Code;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One SQLite database file, opened once by one process (exclusive locking mode: a second
 * sidecar on the same file fails at start), in WAL mode. Every operation runs under one lock on
 * one connection; a write is one transaction ({@code BEGIN IMMEDIATE … COMMIT}), so it is
 * atomic on disk and, with {@code synchronous=FULL}, durable once it returns. Times are epoch
 * microseconds of the backend's clock. {@link #changed} wakes tails and lease waiters.
 */
final class Db implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    /** Writes open on the lock holder's thread (guarded by {@link #lock}): above 0, a transaction is open. */
    private int depth;
    /** Signalled after every committed write. */
    final Condition changed = lock.newCondition();
    final Clock clock;

    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    Db(String path, String synchronous, Clock clock) throws SQLException {
        this.clock = clock;
        this.connection = DriverManager.getConnection("jdbc:sqlite:" + path);
        try (Statement st = connection.createStatement()) {
            st.execute("PRAGMA locking_mode = EXCLUSIVE");
            st.execute("PRAGMA journal_mode = WAL");
            st.execute("PRAGMA synchronous = " + synchronous);
            st.execute("PRAGMA foreign_keys = ON");
            for (String ddl : SCHEMA) {
                st.execute(ddl);
            }
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
    }

    private static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS kv_items (namespace TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
                content_type TEXT NOT NULL, metadata TEXT NOT NULL, version INTEGER NOT NULL, created_at INTEGER NOT NULL,
                expires_at INTEGER, PRIMARY KEY (namespace, key)) WITHOUT ROWID""", """
            CREATE TABLE IF NOT EXISTS episodic_events (namespace TEXT NOT NULL, cursor INTEGER NOT NULL, id TEXT NOT NULL,
                ts INTEGER NOT NULL, type TEXT NOT NULL, payload BLOB NOT NULL, metadata TEXT NOT NULL, role TEXT NOT NULL,
                session_id TEXT NOT NULL, supersedes TEXT NOT NULL, source TEXT NOT NULL, deleted_at INTEGER, dedup_key TEXT,
                PRIMARY KEY (namespace, cursor))""",
            "CREATE UNIQUE INDEX IF NOT EXISTS episodic_events_id ON episodic_events (namespace, id)",
            "CREATE UNIQUE INDEX IF NOT EXISTS episodic_events_dedup ON episodic_events (namespace, dedup_key) WHERE dedup_key IS NOT NULL",
            "CREATE TABLE IF NOT EXISTS episodic_cursors (namespace TEXT PRIMARY KEY, last_cursor INTEGER NOT NULL) WITHOUT ROWID", """
            CREATE TABLE IF NOT EXISTS leases (namespace TEXT NOT NULL, key TEXT NOT NULL, holder_id TEXT NOT NULL,
                acquired_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, metadata TEXT NOT NULL, fencing_token INTEGER NOT NULL,
                PRIMARY KEY (namespace, key)) WITHOUT ROWID""", """
            CREATE TABLE IF NOT EXISTS graph_nodes (namespace TEXT NOT NULL, id TEXT NOT NULL, labels TEXT NOT NULL,
                props TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (namespace, id)) WITHOUT ROWID""", """
            CREATE TABLE IF NOT EXISTS graph_edges (namespace TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL,
                from_id TEXT NOT NULL, to_id TEXT NOT NULL, props TEXT NOT NULL, created_at INTEGER NOT NULL,
                valid_from INTEGER, valid_to INTEGER, PRIMARY KEY (namespace, id)) WITHOUT ROWID""",
            "CREATE INDEX IF NOT EXISTS graph_edges_from ON graph_edges (namespace, from_id, id)",
            "CREATE INDEX IF NOT EXISTS graph_edges_to ON graph_edges (namespace, to_id, id)", """
            CREATE TABLE IF NOT EXISTS semantic_indexes (name TEXT PRIMARY KEY, dimensions INTEGER NOT NULL,
                distance TEXT NOT NULL) WITHOUT ROWID""", """
            CREATE TABLE IF NOT EXISTS semantic_records (idx TEXT NOT NULL, scope TEXT NOT NULL, id TEXT NOT NULL,
                seq INTEGER NOT NULL, content TEXT NOT NULL, payload BLOB NOT NULL, vector BLOB NOT NULL, metadata TEXT NOT NULL,
                created_at INTEGER NOT NULL, valid_from INTEGER NOT NULL, valid_to INTEGER, deleted_at INTEGER,
                supersedes TEXT NOT NULL, source TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (idx, scope, id))""", """
            CREATE TABLE IF NOT EXISTS kv_access (namespace TEXT NOT NULL, key TEXT NOT NULL, access_count INTEGER NOT NULL,
                last_access INTEGER NOT NULL, PRIMARY KEY (namespace, key)) WITHOUT ROWID""", """
            CREATE TABLE IF NOT EXISTS lease_fences (namespace TEXT NOT NULL, key TEXT NOT NULL, last_token INTEGER NOT NULL,
                PRIMARY KEY (namespace, key)) WITHOUT ROWID""");

    /** A read: under the lock, no transaction of its own. */
    <T> T read(String op, Work<T> work) {
        lock.lock();
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw failure(op, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A write: one immediate transaction, rolled back on any failure (an ApiException included).
     * A write inside another (a KV transaction's single-key calls) joins it: the outer one commits
     * or rolls back.
     */
    <T> T write(String op, Work<T> work) {
        lock.lock();
        try {
            if (depth > 0) {
                depth++;
                try {
                    return work.run(connection);
                } finally {
                    depth--;
                }
            }
            try (Statement st = connection.createStatement()) {
                st.execute("BEGIN IMMEDIATE");
            }
            depth = 1;
            try {
                T result = work.run(connection);
                try (Statement st = connection.createStatement()) {
                    st.execute("COMMIT");
                }
                changed.signalAll();
                return result;
            } catch (SQLException | RuntimeException e) {
                try (Statement st = connection.createStatement()) {
                    st.execute("ROLLBACK");
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                depth = 0;
            }
        } catch (SQLException e) {
            throw failure(op, e);
        } finally {
            lock.unlock();
        }
    }

    /** Waits (at most {@code nanos}) for a committed write, or returns at once when {@code done} holds. */
    void await(java.util.function.BooleanSupplier done, long nanos) throws InterruptedException {
        lock.lock();
        try {
            if (!done.getAsBoolean()) {
                changed.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

    long now() {
        return micros(clock.instant());
    }

    static long micros(Instant i) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, i);
    }

    static Instant instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Map<String, String> map(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, String>>() { });
        } catch (IOException e) {
            throw new IllegalStateException("stored metadata is not JSON", e);
        }
    }

    static List<String> list(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() { });
        } catch (IOException e) {
            throw new IllegalStateException("stored list is not JSON", e);
        }
    }

    /**
     * SQLite's primary result code: SQLITE_FULL (the disk is full) is RESOURCE_EXHAUSTED; SQLITE_READONLY,
     * SQLITE_IOERR and SQLITE_CANTOPEN (a read-only or failing disk) UNAVAILABLE; the write's transaction
     * was rolled back either way. Anything else INTERNAL.
     */
    static ApiException failure(String op, SQLException e) {
        return switch (e.getErrorCode() & 0xff) {
            case 13 -> new ApiException(Code.RESOURCE_EXHAUSTED, op + ": disk full; nothing was stored", e);
            case 8, 10, 14 -> new ApiException(Code.UNAVAILABLE, op + ": the database file cannot be written (SQLite "
                    + e.getErrorCode() + ": read-only or failing disk); nothing was stored", e);
            default -> ApiException.internal(op + ": database error (" + e.getErrorCode() + ")", e);
        };
    }

    @Override
    public void close() {
        lock.lock();
        try {
            connection.close();
        } catch (SQLException e) {
            System.getLogger(Db.class.getName()).log(System.Logger.Level.WARNING, "closing the SQLite database: " + e.getMessage());
        } finally {
            lock.unlock();
        }
    }
}
