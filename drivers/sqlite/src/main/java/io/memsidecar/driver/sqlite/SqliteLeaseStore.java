package io.memsidecar.driver.sqlite;

import io.memsidecar.core.ApiException;
import io.memsidecar.lease.spi.AcquireResult;
import io.memsidecar.lease.spi.Lease;
import io.memsidecar.lease.spi.LeaseStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Leases in SQLite, each change one transaction; the last fencing token of every key is kept in
 * {@code lease_fences}, so tokens keep growing after a release and across restarts. Waiters
 * wake on any committed write (a release or an expiry is noticed at the next attempt).
 */
final class SqliteLeaseStore implements LeaseStore {
    private static final String COLUMNS = "namespace, key, holder_id, acquired_at, expires_at, metadata, fencing_token";

    private final Db db;

    SqliteLeaseStore(Db db) {
        this.db = db;
    }

    @Override
    public AcquireResult tryAcquire(String namespace, String key, Duration ttl, Map<String, String> metadata) {
        return db.write("lease.acquire", c -> {
            long now = db.now();
            Optional<Lease> held = live(c, namespace, key, now);
            if (held.isPresent()) {
                return AcquireResult.held(Duration.between(db.clock.instant(), held.get().expiresAt()));
            }
            long token;
            try (var st = c.prepareStatement("INSERT INTO lease_fences (namespace, key, last_token) VALUES (?, ?, 1)"
                    + " ON CONFLICT (namespace, key) DO UPDATE SET last_token = last_token + 1 RETURNING last_token")) {
                st.setString(1, namespace);
                st.setString(2, key);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    token = rs.getLong(1);
                }
            }
            var lease = new Lease(namespace, key, UUID.randomUUID().toString(), Db.instant(now), Db.instant(now + ttl.toNanos() / 1000),
                    metadata, token);
            try (var st = c.prepareStatement("INSERT OR REPLACE INTO leases (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                st.setString(1, namespace);
                st.setString(2, key);
                st.setString(3, lease.holderId());
                st.setLong(4, now);
                st.setLong(5, Db.micros(lease.expiresAt()));
                st.setString(6, Db.json(metadata));
                st.setLong(7, token);
                st.executeUpdate();
            }
            return AcquireResult.acquired(lease);
        });
    }

    @Override
    public void awaitChange(String namespace, String key, Duration max) throws InterruptedException {
        db.await(() -> false, max.toNanos());
    }

    @Override
    public Lease renew(String namespace, String key, String holderId, Duration ttl) {
        return db.write("lease.renew", c -> {
            long now = db.now();
            Lease held = live(c, namespace, key, now).filter(l -> l.holderId().equals(holderId))
                    .orElseThrow(() -> ApiException.failedPrecondition("lease " + key + " not held by this holder"));
            long expires = now + ttl.toNanos() / 1000;
            try (var st = c.prepareStatement("UPDATE leases SET expires_at = ? WHERE namespace = ? AND key = ?")) {
                st.setLong(1, expires);
                st.setString(2, namespace);
                st.setString(3, key);
                st.executeUpdate();
            }
            return new Lease(namespace, key, holderId, held.acquiredAt(), Db.instant(expires), held.metadata(), held.fencingToken());
        });
    }

    @Override
    public boolean release(String namespace, String key, String holderId) {
        return db.write("lease.release", c -> {
            Optional<Lease> held = live(c, namespace, key, db.now());
            if (held.isEmpty()) {
                return false;
            }
            if (!held.get().holderId().equals(holderId)) {
                throw ApiException.failedPrecondition("lease " + key + " not held by this holder");
            }
            try (var st = c.prepareStatement("DELETE FROM leases WHERE namespace = ? AND key = ?")) {
                st.setString(1, namespace);
                st.setString(2, key);
                st.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public Optional<Lease> inspect(String namespace, String key) {
        return db.read("lease.inspect", c -> live(c, namespace, key, db.now()));
    }

    @Override
    public List<Lease> list(String namespace) {
        return db.read("lease.list", c -> {
            try (var st = c.prepareStatement("SELECT " + COLUMNS + " FROM leases WHERE namespace = ? AND expires_at > ? ORDER BY key")) {
                st.setString(1, namespace);
                st.setLong(2, db.now());
                var out = new ArrayList<Lease>();
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(lease(rs));
                    }
                }
                return out;
            }
        });
    }

    /** Deletes expired leases (their fences stay). */
    void sweep() {
        db.write("lease.sweep", c -> {
            try (var st = c.prepareStatement("DELETE FROM leases WHERE expires_at <= ?")) {
                st.setLong(1, db.now());
                return st.executeUpdate();
            }
        });
    }

    private static Optional<Lease> live(Connection c, String namespace, String key, long now) throws SQLException {
        try (var st = c.prepareStatement("SELECT " + COLUMNS + " FROM leases WHERE namespace = ? AND key = ? AND expires_at > ?")) {
            st.setString(1, namespace);
            st.setString(2, key);
            st.setLong(3, now);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(lease(rs)) : Optional.empty();
            }
        }
    }

    private static Lease lease(ResultSet rs) throws SQLException {
        return new Lease(rs.getString(1), rs.getString(2), rs.getString(3), Db.instant(rs.getLong(4)), Db.instant(rs.getLong(5)),
                Db.map(rs.getString(6)), rs.getLong(7));
    }
}
