package io.memsidecar.driver.postgres;

import io.memsidecar.core.ApiException;
import io.memsidecar.lease.spi.AcquireResult;
import io.memsidecar.lease.spi.Lease;
import io.memsidecar.lease.spi.LeaseStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Leases on PostgreSQL. Acquire is one statement: bump the key's fencing counter and insert or
 * take over an expired row, judged by the database clock. Release notifies the waiters of every
 * sidecar through LISTEN/NOTIFY.
 */
final class PostgresLeaseStore implements LeaseStore {
    static final String CHANNEL = "memsidecar_lease";
    private static final String COLUMNS = "namespace, key, holder_id, acquired_at, expires_at, metadata::text, fencing_token";
    private static final String ACQUIRE = """
            WITH fence AS (
                INSERT INTO lease_fences AS f (namespace, key, token) VALUES (?, ?, 1)
                ON CONFLICT (namespace, key) DO UPDATE SET token = f.token + 1
                RETURNING token)
            INSERT INTO leases AS l (namespace, key, holder_id, acquired_at, expires_at, metadata, fencing_token)
            SELECT ?, ?, ?, now(), now() + ? * interval '1 microsecond', ?::jsonb, fence.token FROM fence
            ON CONFLICT (namespace, key) DO UPDATE SET
                holder_id = EXCLUDED.holder_id, acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at,
                metadata = EXCLUDED.metadata, fencing_token = EXCLUDED.fencing_token
            WHERE l.expires_at <= now()
            RETURNING\s""" + COLUMNS;
    private static final String LIVE = "expires_at > now()";

    private final DataSource dataSource;
    private final Notifications notifications;

    PostgresLeaseStore(DataSource dataSource, Notifications notifications) {
        this.dataSource = dataSource;
        this.notifications = notifications;
    }

    @Override
    public AcquireResult tryAcquire(String namespace, String key, Duration ttl, Map<String, String> metadata) {
        try (Connection c = dataSource.getConnection()) {
            try (var st = c.prepareStatement(ACQUIRE)) {
                st.setString(1, namespace);
                st.setString(2, key);
                st.setString(3, namespace);
                st.setString(4, key);
                st.setString(5, UUID.randomUUID().toString());
                st.setLong(6, ttl.toNanos() / 1000);
                st.setString(7, Json.write(metadata));
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next()) {
                        return AcquireResult.acquired(lease(rs));
                    }
                }
            }
            try (var st = c.prepareStatement(
                    "SELECT GREATEST(EXTRACT(EPOCH FROM expires_at - now()), 0) FROM leases WHERE namespace = ? AND key = ?")) {
                st.setString(1, namespace);
                st.setString(2, key);
                try (ResultSet rs = st.executeQuery()) {
                    double seconds = rs.next() ? rs.getDouble(1) : 0;
                    return AcquireResult.held(Duration.ofNanos((long) (seconds * 1e9)));
                }
            }
        } catch (SQLException e) {
            throw PostgresErrors.failure("lease.acquire", e);
        }
    }

    @Override
    public void awaitChange(String namespace, String key, Duration max) throws InterruptedException {
        // A release between the failed attempt and this registration must not be missed.
        notifications.await(topic(namespace, key), max, () -> inspect(namespace, key).isEmpty());
    }

    static String topic(String namespace, String key) {
        return namespace + '\u001e' + key;
    }

    @Override
    public Lease renew(String namespace, String key, String holderId, Duration ttl) {
        try (Connection c = dataSource.getConnection(); var st = c.prepareStatement(
                "UPDATE leases SET expires_at = now() + ? * interval '1 microsecond'"
                        + " WHERE namespace = ? AND key = ? AND holder_id = ? AND " + LIVE + " RETURNING " + COLUMNS)) {
            st.setLong(1, ttl.toNanos() / 1000);
            st.setString(2, namespace);
            st.setString(3, key);
            st.setString(4, holderId);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.failedPrecondition("lease " + key + " not held by this holder");
                }
                return lease(rs);
            }
        } catch (SQLException e) {
            throw PostgresErrors.failure("lease.renew", e);
        }
    }

    @Override
    public boolean release(String namespace, String key, String holderId) {
        try (Connection c = dataSource.getConnection()) {
            return Transactions.in(c, tx -> {
                boolean deleted;
                try (var st = tx.prepareStatement("DELETE FROM leases WHERE namespace = ? AND key = ? AND holder_id = ?")) {
                    st.setString(1, namespace);
                    st.setString(2, key);
                    st.setString(3, holderId);
                    deleted = st.executeUpdate() > 0;
                }
                if (deleted) {
                    try (var st = tx.prepareStatement("SELECT pg_notify(?, ?)")) {
                        st.setString(1, CHANNEL);
                        st.setString(2, topic(namespace, key));
                        st.execute();
                    }
                } else {
                    try (var st = tx.prepareStatement("SELECT 1 FROM leases WHERE namespace = ? AND key = ?")) {
                        st.setString(1, namespace);
                        st.setString(2, key);
                        if (st.executeQuery().next()) {
                            throw ApiException.failedPrecondition("lease " + key + " not held by this holder");
                        }
                    }
                }
                return deleted; // the notification is delivered on commit
            });
        } catch (SQLException e) {
            throw PostgresErrors.failure("lease.release", e);
        }
    }

    @Override
    public Optional<Lease> inspect(String namespace, String key) {
        try (Connection c = dataSource.getConnection(); var st = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM leases WHERE namespace = ? AND key = ? AND " + LIVE)) {
            st.setString(1, namespace);
            st.setString(2, key);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(lease(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw PostgresErrors.failure("lease.inspect", e);
        }
    }

    @Override
    public List<Lease> list(String namespace) {
        try (Connection c = dataSource.getConnection(); var st = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM leases WHERE namespace = ? AND " + LIVE + " ORDER BY key COLLATE \"C\"")) {
            st.setString(1, namespace);
            var out = new ArrayList<Lease>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(lease(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw PostgresErrors.failure("lease.list", e);
        }
    }

    /** Deletes expired leases; their fencing counters stay in lease_fences. */
    int sweep() throws SQLException {
        try (Connection c = dataSource.getConnection(); var st = c.prepareStatement(
                "DELETE FROM leases WHERE expires_at <= now()")) {
            return st.executeUpdate();
        }
    }

    private static Lease lease(ResultSet rs) throws SQLException {
        return new Lease(rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getObject(5, OffsetDateTime.class).toInstant(),
                Json.read(rs.getString(6)), rs.getLong(7));
    }
}
