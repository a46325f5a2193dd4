package io.memsidecar.driver.sqlite;

import io.memsidecar.core.ApiException;
import io.memsidecar.core.Evictions;
import io.memsidecar.core.KeyOrder;
import io.memsidecar.kv.spi.AccessTierView;
import io.memsidecar.kv.spi.AccessTiered;
import io.memsidecar.kv.spi.KeyAccess;
import io.memsidecar.kv.spi.KvAccess;
import io.memsidecar.kv.spi.KvRecord;
import io.memsidecar.kv.spi.KvScan;
import io.memsidecar.kv.spi.KvStore;
import io.memsidecar.kv.spi.KvTxn;
import io.memsidecar.kv.spi.KvWrite;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * KV in SQLite: a Put reads the live row and writes the new one in one transaction, so CAS,
 * quota and version bumps are atomic on disk. Keys compare as UTF-8 bytes (SQLite's BINARY
 * collation), as the SPI orders them. Expired rows read as missing; the backend's sweeper
 * deletes them. The access tier (spec §6.1) keeps each key's reads in {@code kv_access}: a
 * tracked or sliding Get is a write transaction, and a Put past the capacity evicts the coldest
 * other keys in its own transaction.
 */
final class SqliteKvStore implements KvStore, AccessTiered {
    private static final int SCAN_PAGE = 256;
    private static final String COLUMNS = "key, value, content_type, metadata, version, created_at, expires_at";
    private static final String LIVE = "(expires_at IS NULL OR expires_at > ?)";

    private final Db db;
    private final Evictions capacityEvictions;

    SqliteKvStore(Db db, Evictions capacityEvictions) {
        this.db = db;
        this.capacityEvictions = capacityEvictions;
    }

    @Override
    public Optional<KvRecord> get(String namespace, String key) {
        return db.read("kv.get", c -> live(c, namespace, key, db.now()));
    }

    private static Optional<KvRecord> live(Connection c, String namespace, String key, long now) throws SQLException {
        return stored(c, namespace, key).filter(r -> isLive(r, now));
    }

    private static boolean isLive(KvRecord r, long now) {
        return r.expiresAt().map(e -> Db.micros(e) > now).orElse(true);
    }

    /** The row of a key, expired or not (the sweeper deletes expired rows later). */
    private static Optional<KvRecord> stored(Connection c, String namespace, String key) throws SQLException {
        try (var st = c.prepareStatement("SELECT " + COLUMNS + " FROM kv_items WHERE namespace = ? AND key = ?")) {
            st.setString(1, namespace);
            st.setString(2, key);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(record(rs, true)) : Optional.empty();
            }
        }
    }

    @Override
    public List<KvRecord> multiGet(String namespace, Collection<String> keys) {
        return db.read("kv.get", c -> {
            long now = db.now();
            var out = new ArrayList<KvRecord>();
            for (String key : new TreeSet<>(keys)) {
                live(c, namespace, key, now).ifPresent(out::add);
            }
            out.sort((a, b) -> KeyOrder.compare(a.key(), b.key()));
            return out;
        });
    }

    @Override
    public KvRecord put(String namespace, String key, KvWrite write) {
        return db.write("kv.put", c -> put(c, namespace, key, write, db.now()));
    }

    private KvRecord put(Connection c, String namespace, String key, KvWrite write, long now) throws SQLException {
        Optional<KvRecord> row = stored(c, namespace, key);
        Optional<KvRecord> current = row.filter(r -> isLive(r, now));
        long stored = current.map(KvRecord::version).orElse(0L);
        if (write.ifVersion().isPresent() && write.ifVersion().getAsLong() != stored) {
            throw ApiException.failedPrecondition("version mismatch");
        }
        if (current.isEmpty() && write.maxItems() > 0 && count(c, namespace, now) >= write.maxItems()) {
            throw ApiException.resourceExhausted("namespace quota of " + write.maxItems() + " items reached");
        }
        if (row.isPresent() && current.isEmpty()) {
            // an expired row is replaced: its reads go with it (a key that had no row has none:
            // delete, eviction and the sweeper drop them), so the new key starts cold
            forgetReads(c, namespace, key);
        }
        long version = stored + 1;
        long created = current.map(r -> Db.micros(r.createdAt())).orElse(now);
        Long expires = write.ttl().map(d -> now + d.toNanos() / 1000).orElse(null);
        try (var st = c.prepareStatement("INSERT OR REPLACE INTO kv_items (namespace, key, value, content_type, metadata,"
                + " version, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            st.setString(1, namespace);
            st.setString(2, key);
            st.setBytes(3, write.value());
            st.setString(4, write.contentType());
            st.setString(5, Db.json(write.metadata()));
            st.setLong(6, version);
            st.setLong(7, created);
            if (expires == null) {
                st.setNull(8, Types.BIGINT);
            } else {
                st.setLong(8, expires);
            }
            st.executeUpdate();
        }
        return new KvRecord(key, write.value().clone(), write.contentType(), write.metadata(), version, Db.instant(created),
                Optional.ofNullable(expires).map(Db::instant));
    }

    private static void forgetReads(Connection c, String namespace, String key) throws SQLException {
        try (var st = c.prepareStatement("DELETE FROM kv_access WHERE namespace = ? AND key = ?")) {
            st.setString(1, namespace);
            st.setString(2, key);
            st.executeUpdate();
        }
    }

    @Override
    public KvTxn.Result txn(String namespace, KvTxn txn) {
        return txn(namespace, txn, this);
    }

    /** A transaction in one {@code BEGIN IMMEDIATE}: the single-key calls it makes through {@code ops} nest in it. */
    private KvTxn.Result txn(String namespace, KvTxn txn, KvStore ops) {
        return db.write("kv.txn", c -> txn.run(KvTxn.section(namespace, this, ops)));
    }

    @Override
    public boolean delete(String namespace, String key, OptionalLong ifVersion) {
        return db.write("kv.delete", c -> {
            Optional<KvRecord> current = live(c, namespace, key, db.now());
            if (ifVersion.isPresent() && ifVersion.getAsLong() != current.map(KvRecord::version).orElse(0L)) {
                throw ApiException.failedPrecondition("version mismatch");
            }
            try (var st = c.prepareStatement("DELETE FROM kv_items WHERE namespace = ? AND key = ?")) {
                st.setString(1, namespace);
                st.setString(2, key);
                st.executeUpdate();
            }
            forgetReads(c, namespace, key);
            return current.isPresent();
        });
    }

    @Override
    public void scan(String namespace, KvScan scan, Consumer<KvRecord> sink) {
        String sql = "SELECT " + (scan.includeValues() ? COLUMNS : COLUMNS.replace("value", "X''"))
                + " FROM kv_items WHERE namespace = ? AND key >= ? AND key > ? AND substr(key, 1, length(?)) = ? AND " + LIVE
                + " ORDER BY key LIMIT ?";
        // Each page under the lock on its own: a slow reader never blocks writers.
        scan.pages(SCAN_PAGE, (after, size) -> db.read("kv.scan", c -> {
            try (var st = c.prepareStatement(sql)) {
                st.setString(1, namespace);
                st.setString(2, scan.prefix());
                st.setString(3, after);
                st.setString(4, scan.prefix());
                st.setString(5, scan.prefix());
                st.setLong(6, db.now());
                st.setInt(7, size);
                var out = new ArrayList<KvRecord>(size);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(record(rs, scan.includeValues()));
                    }
                }
                return out;
            }
        }), sink);
    }

    @Override
    public OptionalLong size(String namespace) {
        return OptionalLong.of(db.read("kv.size", c -> count(c, namespace, db.now())));
    }

    private static long count(Connection c, String namespace, long now) throws SQLException {
        try (var st = c.prepareStatement("SELECT count(*) FROM kv_items WHERE namespace = ? AND " + LIVE)) {
            st.setString(1, namespace);
            st.setLong(2, now);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Deletes the expired rows; how many per namespace go to {@code expired}. */
    void sweep(io.memsidecar.core.Evictions expired) {
        db.write("kv.sweep", c -> {
            long now = db.now();
            try (var st = c.prepareStatement("SELECT namespace, count(*) FROM kv_items WHERE expires_at <= ? GROUP BY namespace")) {
                st.setLong(1, now);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        expired.record(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            try (var st = c.prepareStatement("DELETE FROM kv_items WHERE expires_at <= ?")) {
                st.setLong(1, now);
                st.executeUpdate();
            }
            try (var st = c.createStatement()) {
                return st.executeUpdate("DELETE FROM kv_access WHERE NOT EXISTS (SELECT 1 FROM kv_items i"
                        + " WHERE i.namespace = kv_access.namespace AND i.key = kv_access.key)");
            }
        });
    }

    @Override
    public KvStore withAccess(KvAccess access) {
        return new AccessTierView(this, access) {
            @Override
            protected List<KvRecord> accessed(String namespace, Collection<String> keys) {
                return SqliteKvStore.this.accessed(namespace, keys, access);
            }

            @Override
            protected KvRecord putEvicting(String namespace, String key, KvWrite write) {
                var evicted = new long[1];
                KvRecord stored = db.write("kv.put", c -> {
                    long now = db.now();
                    KvRecord r = SqliteKvStore.this.put(c, namespace, key, write, now);
                    evicted[0] = evictColdest(c, namespace, key, access, now);
                    return r;
                });
                capacityEvictions.record(namespace, evicted[0]);
                return stored;
            }

            @Override
            protected KvTxn.Result txnThrough(String namespace, KvTxn txn) {
                return SqliteKvStore.this.txn(namespace, txn, this);
            }

            @Override
            protected KeyAccess readsOf(String namespace, String key) {
                return db.read("kv.access", c -> {
                    if (live(c, namespace, key, db.now()).isEmpty()) {
                        return KeyAccess.ABSENT;
                    }
                    try (var st = c.prepareStatement("SELECT access_count, last_access FROM kv_access WHERE namespace = ? AND key = ?")) {
                        st.setString(1, namespace);
                        st.setString(2, key);
                        try (ResultSet rs = st.executeQuery()) {
                            return rs.next() ? new KeyAccess(true, rs.getLong(1), Optional.of(Db.instant(rs.getLong(2))))
                                    : new KeyAccess(true, 0, Optional.empty());
                        }
                    }
                });
            }
        };
    }

    /** The live records of {@code keys} (in their order), each counted and its TTL slid, in one transaction. */
    private List<KvRecord> accessed(String namespace, Collection<String> keys, KvAccess access) {
        return db.write("kv.get", c -> {
            long now = db.now();
            var out = new ArrayList<KvRecord>();
            for (String key : keys) {
                Optional<KvRecord> found = live(c, namespace, key, now);
                if (found.isEmpty()) {
                    continue;
                }
                KvRecord r = found.get();
                if (access.track()) {
                    try (var st = c.prepareStatement("INSERT INTO kv_access (namespace, key, access_count, last_access)"
                            + " VALUES (?, ?, 1, ?) ON CONFLICT (namespace, key)"
                            + " DO UPDATE SET access_count = access_count + 1, last_access = excluded.last_access")) {
                        st.setString(1, namespace);
                        st.setString(2, key);
                        st.setLong(3, now);
                        st.executeUpdate();
                    }
                }
                if (!access.slideTtl().isZero() && r.expiresAt().isPresent()) {
                    long expires = now + access.slideTtl().toNanos() / 1000;
                    try (var st = c.prepareStatement("UPDATE kv_items SET expires_at = ? WHERE namespace = ? AND key = ?")) {
                        st.setLong(1, expires);
                        st.setString(2, namespace);
                        st.setString(3, key);
                        st.executeUpdate();
                    }
                    r = new KvRecord(r.key(), r.value(), r.contentType(), r.metadata(), r.version(), r.createdAt(),
                            Optional.of(Db.instant(expires)));
                }
                out.add(r);
            }
            return out;
        });
    }

    /**
     * When the live keys exceed the capacity, deletes the coldest ones other than {@code kept}
     * ({@link KvAccess#coldest}); returns how many.
     */
    private static long evictColdest(Connection c, String namespace, String kept, KvAccess access, long now) throws SQLException {
        long over = count(c, namespace, now) - access.capacity();
        if (over <= 0) {
            return 0;
        }
        var reads = new ArrayList<KvAccess.Reads>();
        try (var st = c.prepareStatement("SELECT i.key, i.created_at, a.access_count, a.last_access FROM kv_items i"
                + " LEFT JOIN kv_access a ON a.namespace = i.namespace AND a.key = i.key"
                + " WHERE i.namespace = ? AND i.key <> ? AND (i.expires_at IS NULL OR i.expires_at > ?)")) {
            st.setString(1, namespace);
            st.setString(2, kept);
            st.setLong(3, now);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    long count = rs.getLong(3);
                    long last = rs.getLong(4);
                    reads.add(new KvAccess.Reads(rs.getString(1), count, Db.instant(rs.wasNull() ? rs.getLong(2) : last)));
                }
            }
        }
        List<String> coldest = access.coldest(reads, over, Db.instant(now));
        try (var items = c.prepareStatement("DELETE FROM kv_items WHERE namespace = ? AND key = ?")) {
            for (String key : coldest) {
                items.setString(1, namespace);
                items.setString(2, key);
                items.addBatch();
                forgetReads(c, namespace, key);
            }
            items.executeBatch();
        }
        return coldest.size();
    }

    private static KvRecord record(ResultSet rs, boolean withValue) throws SQLException {
        long expires = rs.getLong(7);
        boolean never = rs.wasNull();
        return new KvRecord(rs.getString(1), withValue ? rs.getBytes(2) : new byte[0], rs.getString(3), Db.map(rs.getString(4)),
                rs.getLong(5), Db.instant(rs.getLong(6)), never ? Optional.empty() : Optional.of(Db.instant(expires)));
    }
}
