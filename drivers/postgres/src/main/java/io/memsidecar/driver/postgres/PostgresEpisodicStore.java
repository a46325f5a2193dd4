package io.memsidecar.driver.postgres;

import io.memsidecar.core.ApiException;
import io.memsidecar.episodic.spi.EpisodicStore;
import io.memsidecar.episodic.spi.Event;
import io.memsidecar.episodic.spi.ExpireQuery;
import io.memsidecar.episodic.spi.NewEvent;
import io.memsidecar.episodic.spi.RangeQuery;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Episodic logs on PostgreSQL. An append bumps the namespace's cursor row, inserts, tombstones
 * what it supersedes and NOTIFYs, all in one transaction, so tailers on every sidecar wake on
 * commit and read the new events by cursor (push, not polling).
 */
final class PostgresEpisodicStore implements EpisodicStore {
    static final String CHANNEL = "memsidecar_episodic";
    private static final int PAGE = 512;
    private static final String COLUMNS =
            "id::text, cursor, timestamp, type, payload, metadata::text, role, session_id, supersedes, source, deleted_at";

    /**
     * Bump the namespace's cursor, insert (a dedup-key conflict inserts nothing, and the caller
     * rolls the bump back), tombstone the superseded live events at the new event's time, and
     * notify; the result row is the new cursor and timestamp.
     */
    private static final String APPEND = """
            WITH c AS (
                INSERT INTO episodic_cursors AS k (namespace, last_cursor) VALUES (?, 1)
                ON CONFLICT (namespace) DO UPDATE SET last_cursor = k.last_cursor + 1
                RETURNING last_cursor),
            e AS (
                INSERT INTO episodic_events (id, namespace, cursor, timestamp, type, payload, metadata, role,
                    session_id, source, supersedes, dedup_key)
                SELECT ?::uuid, ?, c.last_cursor, clock_timestamp(), ?, ?, ?::jsonb, ?, ?, ?, ?, ? FROM c
                ON CONFLICT (namespace, dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
                RETURNING id, cursor, timestamp),
            s AS (
                UPDATE episodic_events t SET deleted_at = e.timestamp FROM e
                WHERE t.id = ANY(?::uuid[]) AND t.namespace = ? AND t.deleted_at IS NULL AND t.id <> e.id
                RETURNING 1),
            n AS (SELECT pg_notify(?, ?) FROM e)
            SELECT e.cursor, e.timestamp, (SELECT count(*) FROM s), (SELECT count(*) FROM n) FROM e""";

    private final DataSource dataSource;
    private final Notifications notifications;

    PostgresEpisodicStore(DataSource dataSource, Notifications notifications) {
        this.dataSource = dataSource;
        this.notifications = notifications;
    }

    @Override
    public Event append(String namespace, NewEvent e) {
        try (Connection c = dataSource.getConnection()) {
            if (e.dedupKey().isPresent()) {
                Optional<Event> existing = byDedupKey(c, namespace, e.dedupKey().get());
                if (existing.isPresent()) {
                    return existing.get();
                }
            }
            c.setAutoCommit(false);
            try {
                String id = UUID.randomUUID().toString();
                long cursor;
                Instant timestamp;
                // One statement, so the cursor row lock that orders appends is held for one round trip.
                try (var st = c.prepareStatement(APPEND)) {
                    st.setString(1, namespace);
                    st.setString(2, id);
                    st.setString(3, namespace);
                    st.setString(4, e.type());
                    st.setBytes(5, e.payload());
                    st.setString(6, Json.write(e.metadata()));
                    st.setString(7, e.role());
                    st.setString(8, e.sessionId());
                    st.setString(9, e.source());
                    st.setArray(10, c.createArrayOf("text", e.supersedes().toArray()));
                    st.setString(11, e.dedupKey().orElse(null));
                    st.setArray(12, c.createArrayOf("text", uuids(e.supersedes()).toArray()));
                    st.setString(13, namespace);
                    st.setString(14, CHANNEL);
                    st.setString(15, namespace);
                    try (ResultSet rs = st.executeQuery()) {
                        if (!rs.next()) {
                            // A concurrent append with the same dedup key won: ours uses no cursor.
                            c.rollback();
                            c.setAutoCommit(true);
                            return byDedupKey(c, namespace, e.dedupKey().orElseThrow()).orElseThrow(
                                    () -> ApiException.internal("episodic.append: dedup winner vanished", null));
                        }
                        cursor = rs.getLong(1);
                        timestamp = rs.getObject(2, OffsetDateTime.class).toInstant();
                    }
                }
                c.commit(); // the notification is delivered on commit
                return new Event(id, cursor, timestamp, e.type(), e.payload().clone(), e.metadata(), e.role(),
                        e.sessionId(), e.supersedes(), e.source(), Optional.empty());
            } catch (SQLException | RuntimeException ex) {
                Transactions.rollback(c, ex);
                throw ex;
            }
        } catch (SQLException ex) {
            throw PostgresErrors.failure("episodic.append", ex);
        }
    }

    /**
     * The supersedes entries that can name an event here: ids are UUIDs, so anything else is an
     * unknown id, skipped as the spec says, and the rest find their rows by primary key.
     */
    private static List<String> uuids(List<String> ids) {
        var out = new ArrayList<String>(ids.size());
        for (String id : ids) {
            try {
                out.add(UUID.fromString(id).toString());
            } catch (IllegalArgumentException notAnEventId) {
                // skipped
            }
        }
        return out;
    }

    private static Optional<Event> byDedupKey(Connection c, String namespace, String key) throws SQLException {
        try (var st = c.prepareStatement("SELECT " + COLUMNS + " FROM episodic_events WHERE namespace = ? AND dedup_key = ?")) {
            st.setString(1, namespace);
            st.setString(2, key);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(event(rs)) : Optional.empty();
            }
        }
    }

    @Override
    public void range(String namespace, RangeQuery q, Consumer<Event> sink) {
        var where = new StringBuilder(" WHERE namespace = ?");
        var params = new ArrayList<Object>();
        params.add(namespace);
        if (q.beforeCursor() > 0) {
            where.append(" AND cursor < ?");
            params.add(q.beforeCursor());
        }
        q.afterTime().ifPresent(t -> {
            where.append(" AND timestamp > ?");
            params.add(Timestamp.from(t));
        });
        q.beforeTime().ifPresent(t -> {
            where.append(" AND timestamp < ?");
            params.add(Timestamp.from(t));
        });
        if (!q.includeDeleted()) {
            where.append(" AND deleted_at IS NULL");
        }
        for (String[] eq : new String[][] {{"session_id", q.sessionId()}, {"role", q.role()}, {"type", q.type()}}) {
            if (!eq[1].isEmpty()) {
                where.append(" AND ").append(eq[0]).append(" = ?");
                params.add(eq[1]);
            }
        }
        if (q.reverse() && q.afterCursor() > 0) {
            where.append(" AND cursor > ?");
            params.add(q.afterCursor());
        }
        // Keyset pages from the start cursor: a slow reader holds no connection between pages.
        String sql = "SELECT " + COLUMNS + " FROM episodic_events" + where
                + (q.reverse() ? " AND cursor < ? ORDER BY cursor DESC" : " AND cursor > ? ORDER BY cursor") + " LIMIT ?";
        long position = q.reverse() ? Long.MAX_VALUE : q.afterCursor();
        long remaining = q.limit() > 0 ? q.limit() : Long.MAX_VALUE;
        while (remaining > 0) {
            int pageSize = (int) Math.min(PAGE, remaining);
            List<Event> page = new ArrayList<>(pageSize);
            try (Connection c = dataSource.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
                int i = 1;
                for (Object p : params) {
                    st.setObject(i++, p);
                }
                st.setLong(i++, position);
                st.setInt(i, pageSize);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        page.add(event(rs));
                    }
                }
            } catch (SQLException e) {
                throw PostgresErrors.failure("episodic.range", e);
            }
            page.forEach(sink);
            if (page.size() < pageSize) {
                return;
            }
            remaining -= page.size();
            position = page.getLast().cursor();
        }
    }

    @Override
    public long lastCursor(String namespace) {
        try (Connection c = dataSource.getConnection();
             var st = c.prepareStatement("SELECT last_cursor FROM episodic_cursors WHERE namespace = ?")) {
            st.setString(1, namespace);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw PostgresErrors.failure("episodic.tail", e);
        }
    }

    @Override
    public void awaitAppend(String namespace, long cursor, Duration max) throws InterruptedException {
        notifications.await(namespace, max, () -> lastCursor(namespace) > cursor);
    }

    @Override
    public long expire(String namespace, ExpireQuery q) {
        var window = new StringBuilder("namespace = ?");
        if (q.beforeCursor() > 0) {
            window.append(" AND cursor < ?");
        }
        if (q.beforeTime().isPresent()) {
            window.append(" AND timestamp < ?");
        }
        String sql = q.hard()
                ? "DELETE FROM episodic_events WHERE id IN (SELECT id FROM episodic_events WHERE " + window
                        + " ORDER BY cursor LIMIT ?)"
                : "UPDATE episodic_events SET deleted_at = clock_timestamp() WHERE id IN (SELECT id FROM episodic_events"
                        + " WHERE " + window + " AND deleted_at IS NULL ORDER BY cursor LIMIT ?)";
        try (Connection c = dataSource.getConnection(); var st = c.prepareStatement(sql)) {
            int i = 1;
            st.setString(i++, namespace);
            if (q.beforeCursor() > 0) {
                st.setLong(i++, q.beforeCursor());
            }
            if (q.beforeTime().isPresent()) {
                st.setTimestamp(i++, Timestamp.from(q.beforeTime().get()));
            }
            st.setInt(i, q.maxRows());
            return st.executeUpdate();
        } catch (SQLException e) {
            throw PostgresErrors.failure("episodic.expire", e);
        }
    }

    @Override
    public List<String> namespaces() {
        try (Connection c = dataSource.getConnection();
             var st = c.prepareStatement("SELECT namespace FROM episodic_cursors ORDER BY namespace")) {
            var out = new ArrayList<String>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw PostgresErrors.failure("episodic.namespaces", e);
        }
    }

    private static Event event(ResultSet rs) throws SQLException {
        OffsetDateTime deleted = rs.getObject(11, OffsetDateTime.class);
        String[] supersedes = (String[]) rs.getArray(9).getArray();
        return new Event(rs.getString(1), rs.getLong(2), rs.getObject(3, OffsetDateTime.class).toInstant(), rs.getString(4),
                rs.getBytes(5), Json.read(rs.getString(6)), rs.getString(7), rs.getString(8), Arrays.asList(supersedes),
                rs.getString(10), Optional.ofNullable(deleted).map(OffsetDateTime::toInstant));
    }
}
