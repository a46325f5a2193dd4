package io.memsidecar.driver.postgres;

import io.memsidecar.core.ApiException;
import io.memsidecar.kv.spi.KvRecord;
import io.memsidecar.kv.spi.KvScan;
import io.memsidecar.kv.spi.KvStore;
import io.memsidecar.kv.spi.KvTxn;
import io.memsidecar.kv.spi.KvWrite;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * KV on PostgreSQL. Every version change is one SQL statement (or, with a quota, one
 * transaction under a per-namespace advisory lock), so concurrent writers on any number of
 * sidecars are never lost. Expiry is always judged by the database clock, {@code now()}.
 */
final class PostgresKvStore implements KvStore {
    /** Rows fetched per round trip of a scan; the connection is returned between pages. */
    private static final int SCAN_PAGE = 256;

    private static final String LIVE = "(expires_at IS NULL OR expires_at > now())";
    private static final String COLUMNS = "key, value, content_type, metadata::text, version, created_at, expires_at";
    private static final String EXPIRED_T = "t.expires_at IS NOT NULL AND t.expires_at <= now()";
    private static final String UPSERT = """
            INSERT INTO kv_items AS t (namespace, key, value, content_type, metadata, version, created_at, updated_at, expires_at)
            VALUES (?, ?, ?, ?, ?::jsonb, 1, now(), now(), now() + ? * interval '1 microsecond')
            ON CONFLICT (namespace, key) DO UPDATE SET
                value = EXCLUDED.value,
                content_type = EXCLUDED.content_type,
                metadata = EXCLUDED.metadata,
                version = CASE WHEN %1$s THEN 1 ELSE t.version + 1 END,
                created_at = CASE WHEN %1$s THEN now() ELSE t.created_at END,
                updated_at = now(),
                expires_at = EXCLUDED.expires_at
            """.formatted(EXPIRED_T);
    private static final String RETURNING = " RETURNING " + COLUMNS;
    /** Unconditional write: create, overwrite, or take over an expired row. */
    private static final String PUT = UPSERT + RETURNING;
    /** if_version = 0: create, or take over an expired row; a live row makes it return nothing. */
    private static final String PUT_IF_ABSENT = UPSERT + " WHERE " + EXPIRED_T + RETURNING;
    /** if_version = N: only the live row at exactly version N. */
    private static final String PUT_IF_VERSION = """
            UPDATE kv_items SET value = ?, content_type = ?, metadata = ?::jsonb, version = version + 1,
                updated_at = now(), expires_at = now() + ? * interval '1 microsecond'
            WHERE namespace = ? AND key = ? AND version = ? AND %s
            """.formatted(LIVE) + RETURNING;

    private final DataSource dataSource;

    PostgresKvStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Optional<KvRecord> get(String namespace, String key) {
        try (Connection c = dataSource.getConnection();
             var st = c.prepareStatement("SELECT " + COLUMNS + " FROM kv_items WHERE namespace = ? AND key = ? AND " + LIVE)) {
            st.setString(1, namespace);
            st.setString(2, key);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(record(rs, true)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw PostgresErrors.failure("kv.get", e);
        }
    }

    @Override
    public List<KvRecord> multiGet(String namespace, Collection<String> keys) {
        try (Connection c = dataSource.getConnection();
             var st = c.prepareStatement("SELECT " + COLUMNS + " FROM kv_items WHERE namespace = ? AND key = ANY(?) AND "
                     + LIVE + " ORDER BY key COLLATE \"C\"")) {
            st.setString(1, namespace);
            st.setArray(2, c.createArrayOf("text", keys.toArray()));
            var out = new ArrayList<KvRecord>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(record(rs, true));
                }
            }
            return out;
        } catch (SQLException e) {
            throw PostgresErrors.failure("kv.get", e);
        }
    }

    @Override
    public KvRecord put(String namespace, String key, KvWrite write) {
        try (Connection c = dataSource.getConnection()) {
            if (write.maxItems() <= 0 || (write.ifVersion().isPresent() && write.ifVersion().getAsLong() > 0)) {
                // Cannot add a key past the quota (or there is none): one statement.
                return write(c, namespace, key, write);
            }
            return Transactions.in(c, tx -> {
                lockQuota(tx, namespace);
                if (!exists(tx, namespace, key) && count(tx, namespace) >= write.maxItems()) {
                    throw ApiException.resourceExhausted("namespace quota of " + write.maxItems() + " items reached");
                }
                return write(tx, namespace, key, write);
            });
        } catch (SQLException e) {
            throw PostgresErrors.failure("kv.put", e);
        }
    }

    /** Creators in a capped namespace (a Put, a transaction) queue on one lock, so the count cannot race. */
    private static void lockQuota(Connection c, String namespace) throws SQLException {
        try (var lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            lock.setString(1, "kv\u001f" + namespace);
            lock.execute();
        }
    }

    private KvRecord write(Connection c, String namespace, String key, KvWrite write) throws SQLException {
        Long ttlMicros = write.ttl().map(d -> d.toNanos() / 1000).orElse(null);
        String metadata = Json.write(write.metadata());
        OptionalLong ifVersion = write.ifVersion();
        if (ifVersion.isPresent() && ifVersion.getAsLong() > 0) {
            try (var st = c.prepareStatement(PUT_IF_VERSION)) {
                st.setBytes(1, write.value());
                st.setString(2, write.contentType());
                st.setString(3, metadata);
                setNullableLong(st, 4, ttlMicros);
                st.setString(5, namespace);
                st.setString(6, key);
                st.setLong(7, ifVersion.getAsLong());
                return single(st);
            }
        }
        try (var st = c.prepareStatement(ifVersion.isPresent() ? PUT_IF_ABSENT : PUT)) {
            st.setString(1, namespace);
            st.setString(2, key);
            st.setBytes(3, write.value());
            st.setString(4, write.contentType());
            st.setString(5, metadata);
            setNullableLong(st, 6, ttlMicros);
            return single(st);
        }
    }

    private static KvRecord single(PreparedStatement st) throws SQLException {
        try (ResultSet rs = st.executeQuery()) {
            if (!rs.next()) {
                throw ApiException.failedPrecondition("version mismatch");
            }
            return record(rs, true);
        }
    }

    private static boolean exists(Connection c, String namespace, String key) throws SQLException {
        try (var st = c.prepareStatement("SELECT 1 FROM kv_items WHERE namespace = ? AND key = ? AND " + LIVE)) {
            st.setString(1, namespace);
            st.setString(2, key);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static long count(Connection c, String namespace) throws SQLException {
        try (var st = c.prepareStatement("SELECT count(*) FROM kv_items WHERE namespace = ? AND " + LIVE)) {
            st.setString(1, namespace);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Tries of a transaction that meets a deadlock or a serialization failure before it answers ABORTED. */
    private static final int TXN_TRIES = 3;
    /** An expired placeholder row (version 0) for each key of the array that has none, in key order. */
    private static final String PLACEHOLDERS = """
            WITH placed AS (
                INSERT INTO kv_items (namespace, key, value, content_type, metadata, version, created_at, updated_at, expires_at)
                SELECT ?, k, ''::bytea, '', '{}'::jsonb, 0, now(), now(), 'epoch'::timestamptz
                FROM unnest(?::text[]) AS k ORDER BY k COLLATE "C"
                ON CONFLICT (namespace, key) DO NOTHING)
            """;

    /**
     * One database transaction (READ COMMITTED): a creator's quota lock as Put takes it, then a
     * row for every key it names locked in key order — a key with no row gets an expired one
     * first (version 0, read as absent, swept later), so that a concurrent Put of an absent key
     * waits for this transaction like one of a present key does. Compares and ops then run on
     * the locked rows ({@link Locked}).
     */
    @Override
    public KvTxn.Result txn(String namespace, KvTxn txn) {
        long maxItems = txn.maxItems();
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                return Transactions.in(c, tx -> {
                    if (maxItems > 0) {
                        lockQuota(tx, namespace);
                    }
                    var locked = lockRows(tx, namespace, txn.keys());
                    KvTxn.Result result = txn.run(locked.section(tx));
                    locked.flush(tx);
                    return result;
                });
            } catch (SQLException e) {
                boolean conflict = "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
                if (conflict && attempt < TXN_TRIES) {
                    continue;
                }
                if (conflict) {
                    throw new ApiException(io.memsidecar.core.Code.ABORTED, "kv.txn: conflicted with concurrent transactions "
                            + TXN_TRIES + " times (" + e.getSQLState() + "); nothing was applied, retry it", e);
                }
                throw PostgresErrors.failure("kv.txn", e);
            }
        }
    }

    /**
     * Locks a row for every key and reads them. Absent keys get an expired placeholder row (version 0,
     * read as absent, swept later), so that a concurrent Put or transaction of an absent key waits for
     * this one as for a present key. One statement when every key has a row: the placeholders' INSERT
     * and the rows' SELECT … FOR UPDATE in key order. A key that statement did not return was placed by
     * it, or was inserted (or deleted) by a transaction that committed while it waited, which its
     * snapshot cannot show: those keys are locked and read again by a second statement with a new
     * snapshot, and any still without a row get their placeholder then.
     */
    private static Locked lockRows(Connection c, String namespace, java.util.SortedSet<String> keys) throws SQLException {
        var live = new java.util.HashMap<String, KvRecord>();
        var missing = new java.util.TreeSet<>(keys);
        java.time.Instant now = select(c, namespace, keys, PLACEHOLDERS, live, missing);
        for (int round = 0; !missing.isEmpty(); round++) {
            if (round == 2) {
                throw new SQLException("kv.txn: keys kept vanishing while being locked", "40001");
            }
            now = select(c, namespace, missing, round == 0 ? "" : PLACEHOLDERS, live, missing);
        }
        return new Locked(namespace, live, now);
    }

    /**
     * {@code prefix} (a placeholder INSERT, or nothing) and a SELECT … FOR UPDATE of {@code keys}: each row
     * returned is locked and leaves {@code missing}, a live one goes to {@code live}. Returns the
     * transaction's now().
     */
    private static java.time.Instant select(Connection c, String namespace, java.util.Set<String> keys, String prefix,
                                            java.util.Map<String, KvRecord> live, java.util.Set<String> missing)
            throws SQLException {
        var array = c.createArrayOf("text", keys.toArray());
        java.time.Instant now = null;
        try (var st = c.prepareStatement(prefix + "SELECT " + COLUMNS + ", " + LIVE + ", now() FROM kv_items WHERE namespace = ?"
                + " AND key = ANY(?) ORDER BY key COLLATE \"C\" FOR UPDATE")) {
            int i = 1;
            if (!prefix.isEmpty()) {
                st.setString(i++, namespace);
                st.setArray(i++, array);
            }
            st.setString(i++, namespace);
            st.setArray(i, array);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    now = rs.getObject(9, OffsetDateTime.class).toInstant();
                    missing.remove(rs.getString(1));
                    if (rs.getBoolean(8)) {
                        KvRecord r = record(rs, true);
                        live.put(r.key(), r);
                    }
                }
            }
        }
        if (now == null) {
            try (var st = c.prepareStatement("SELECT now()"); ResultSet rs = st.executeQuery()) {
                rs.next();
                now = rs.getObject(1, OffsetDateTime.class).toInstant();
            }
        }
        return now;
    }

    /**
     * A transaction's locked rows: compares and gets read them as its own writes leave them; puts and
     * deletes are worked out here (every key has a locked row, so a put is an UPDATE of it) and sent at
     * the end as one batch each: whatever its size, a transaction whose keys all have rows costs one round
     * trip to lock and read them, one per kind of write, and the commit.
     * The quota's count is read once and kept up to date with the transaction's own puts and deletes.
     */
    private static final class Locked {
        private final String namespace;
        private final java.util.Map<String, KvRecord> live;
        private final java.time.Instant now;
        private final List<KvRecord> puts = new ArrayList<>();
        private final List<String> deletes = new ArrayList<>();
        /** The namespace's live keys before this transaction (counted when a quota needs it), and what it added since. */
        private long counted = -1;
        private long added;

        Locked(String namespace, java.util.Map<String, KvRecord> live, java.time.Instant now) {
            this.namespace = namespace;
            this.live = live;
            this.now = now;
        }

        KvTxn.Section section(Connection c) {
            return new KvTxn.Section() {
                @Override
                public Optional<KvRecord> live(String key) {
                    return Optional.ofNullable(live.get(key));
                }

                @Override
                public KvRecord put(String key, KvWrite write) {
                    KvRecord current = live.get(key);
                    if (current == null && write.maxItems() > 0) {
                        try {
                            if (counted < 0) {
                                counted = count(c, namespace);
                            }
                        } catch (SQLException e) {
                            throw PostgresErrors.failure("kv.txn", e);
                        }
                        if (counted + added >= write.maxItems()) {
                            throw ApiException.resourceExhausted("namespace quota of " + write.maxItems() + " items reached");
                        }
                    }
                    if (current == null) {
                        added++;
                    }
                    var record = new KvRecord(key, write.value(), write.contentType(), write.metadata(),
                            current == null ? 1 : current.version() + 1, current == null ? now : current.createdAt(),
                            write.ttl().map(t -> now.plus(t.toNanos() / 1000, java.time.temporal.ChronoUnit.MICROS)));
                    live.put(key, record);
                    puts.add(record);
                    return record;
                }

                @Override
                public boolean delete(String key) {
                    deletes.add(key);
                    boolean existed = live.remove(key) != null;
                    if (existed) {
                        added--;
                    }
                    return existed;
                }
            };
        }

        /** The puts, then the deletes (a key is in one op of a branch at most, so their order does not matter). */
        void flush(Connection c) throws SQLException {
            if (!puts.isEmpty()) {
                try (var st = c.prepareStatement("UPDATE kv_items SET value = ?, content_type = ?, metadata = ?::jsonb, version = ?,"
                        + " created_at = ?, updated_at = now(), expires_at = ? WHERE namespace = ? AND key = ?")) {
                    for (KvRecord r : puts) {
                        st.setBytes(1, r.value());
                        st.setString(2, r.contentType());
                        st.setString(3, Json.write(r.metadata()));
                        st.setLong(4, r.version());
                        st.setObject(5, OffsetDateTime.ofInstant(r.createdAt(), java.time.ZoneOffset.UTC));
                        st.setObject(6, r.expiresAt().map(e -> OffsetDateTime.ofInstant(e, java.time.ZoneOffset.UTC)).orElse(null),
                                Types.TIMESTAMP_WITH_TIMEZONE);
                        st.setString(7, namespace);
                        st.setString(8, r.key());
                        st.addBatch();
                    }
                    st.executeBatch();
                }
            }
            if (!deletes.isEmpty()) {
                try (var st = c.prepareStatement("DELETE FROM kv_items WHERE namespace = ? AND key = ?")) {
                    for (String key : deletes) {
                        st.setString(1, namespace);
                        st.setString(2, key);
                        st.addBatch();
                    }
                    st.executeBatch();
                }
            }
        }
    }

    @Override
    public boolean delete(String namespace, String key, OptionalLong ifVersion) {
        try (Connection c = dataSource.getConnection()) {
            if (ifVersion.isEmpty()) {
                try (var st = c.prepareStatement("DELETE FROM kv_items WHERE namespace = ? AND key = ? RETURNING " + LIVE)) {
                    st.setString(1, namespace);
                    st.setString(2, key);
                    try (ResultSet rs = st.executeQuery()) {
                        return rs.next() && rs.getBoolean(1);
                    }
                }
            }
            if (ifVersion.getAsLong() == 0) {
                // "Must be missing": succeeds (existed=false) unless a live row is there.
                if (exists(c, namespace, key)) {
                    throw ApiException.failedPrecondition("version mismatch");
                }
                return false;
            }
            try (var st = c.prepareStatement(
                    "DELETE FROM kv_items WHERE namespace = ? AND key = ? AND version = ? AND " + LIVE)) {
                st.setString(1, namespace);
                st.setString(2, key);
                st.setLong(3, ifVersion.getAsLong());
                if (st.executeUpdate() == 0) {
                    throw ApiException.failedPrecondition("version mismatch");
                }
                return true;
            }
        } catch (SQLException e) {
            throw PostgresErrors.failure("kv.delete", e);
        }
    }

    @Override
    public void scan(String namespace, KvScan scan, Consumer<KvRecord> sink) {
        String sql = "SELECT " + (scan.includeValues() ? COLUMNS : COLUMNS.replace("value", "''::bytea"))
                + " FROM kv_items WHERE namespace = ? AND key COLLATE \"C\" >= ? AND key COLLATE \"C\" > ?"
                + " AND starts_with(key, ?) AND " + LIVE + " ORDER BY key COLLATE \"C\" LIMIT ?";
        // Each page on its own connection: a slow reader never pins the pool.
        scan.pages(SCAN_PAGE, (after, size) -> {
            List<KvRecord> page = new ArrayList<>(size);
            try (Connection c = dataSource.getConnection(); var st = c.prepareStatement(sql)) {
                st.setString(1, namespace);
                st.setString(2, scan.prefix());
                st.setString(3, after);
                st.setString(4, scan.prefix());
                st.setInt(5, size);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        page.add(record(rs, scan.includeValues()));
                    }
                }
            } catch (SQLException e) {
                throw PostgresErrors.failure("kv.scan", e);
            }
            return page;
        }, sink);
    }

    @Override
    public OptionalLong size(String namespace) {
        try (Connection c = dataSource.getConnection()) {
            return OptionalLong.of(count(c, namespace));
        } catch (SQLException e) {
            throw PostgresErrors.failure("kv.size", e);
        }
    }

    /** Deletes up to {@code batch} expired rows; returns how many went. */
    /** Deletes up to {@code batch} expired rows, counted per namespace; returns how many. */
    int sweep(int batch, io.memsidecar.core.Evictions expired) throws SQLException {
        try (Connection c = dataSource.getConnection(); var st = c.prepareStatement("""
                WITH gone AS (DELETE FROM kv_items
                    WHERE ctid IN (SELECT ctid FROM kv_items WHERE expires_at <= now() LIMIT ?) RETURNING namespace)
                SELECT namespace, count(*) FROM gone GROUP BY namespace""")) {
            st.setInt(1, batch);
            int total = 0;
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    expired.record(rs.getString(1), rs.getLong(2));
                    total += (int) rs.getLong(2);
                }
            }
            return total;
        }
    }

    private static KvRecord record(ResultSet rs, boolean withValue) throws SQLException {
        OffsetDateTime expires = rs.getObject(7, OffsetDateTime.class);
        return new KvRecord(rs.getString(1),
                withValue ? rs.getBytes(2) : new byte[0],
                rs.getString(3),
                Json.read(rs.getString(4)),
                rs.getLong(5),
                rs.getObject(6, OffsetDateTime.class).toInstant(),
                Optional.ofNullable(expires).map(OffsetDateTime::toInstant));
    }

    private static void setNullableLong(PreparedStatement st, int index, Long value) throws SQLException {
        if (value == null) {
            st.setNull(index, Types.BIGINT);
        } else {
            st.setLong(index, value);
        }
    }
}
