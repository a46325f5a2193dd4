package io.memsidecar.driver.sqlite;

import io.memsidecar.episodic.spi.EpisodicStore;
import io.memsidecar.episodic.spi.Event;
import io.memsidecar.episodic.spi.ExpireQuery;
import io.memsidecar.episodic.spi.NewEvent;
import io.memsidecar.episodic.spi.RangeQuery;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Event logs in SQLite. An append takes the next cursor from {@code episodic_cursors}, tombstones
 * what it supersedes and inserts, in one transaction, so cursors are gap-free in commit order and
 * never reused (the counter survives hard deletes). Tails wake on every commit.
 */
final class SqliteEpisodicStore implements EpisodicStore {
    private static final String COLUMNS = "id, cursor, ts, type, payload, metadata, role, session_id, supersedes, source, deleted_at";

    private final Db db;

    SqliteEpisodicStore(Db db) {
        this.db = db;
    }

    @Override
    public Event append(String namespace, NewEvent e) {
        return db.write("episodic.append", c -> {
            if (e.dedupKey().isPresent()) {
                Optional<Event> existing = one(c, "SELECT " + COLUMNS + " FROM episodic_events WHERE namespace = ? AND dedup_key = ?",
                        namespace, e.dedupKey().get());
                if (existing.isPresent()) {
                    return existing.get();
                }
            }
            long now = db.now();
            long cursor;
            try (var st = c.prepareStatement("INSERT INTO episodic_cursors (namespace, last_cursor) VALUES (?, 1)"
                    + " ON CONFLICT (namespace) DO UPDATE SET last_cursor = last_cursor + 1 RETURNING last_cursor")) {
                st.setString(1, namespace);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    cursor = rs.getLong(1);
                }
            }
            for (String target : e.supersedes()) {
                try (var st = c.prepareStatement("UPDATE episodic_events SET deleted_at = ?"
                        + " WHERE namespace = ? AND id = ? AND deleted_at IS NULL")) {
                    st.setLong(1, now);
                    st.setString(2, namespace);
                    st.setString(3, target);
                    st.executeUpdate();
                }
            }
            var event = new Event(UUID.randomUUID().toString(), cursor, Db.instant(now), e.type(), e.payload().clone(), e.metadata(),
                    e.role(), e.sessionId(), e.supersedes(), e.source(), Optional.empty());
            try (var st = c.prepareStatement("INSERT INTO episodic_events (namespace, cursor, id, ts, type, payload, metadata, role,"
                    + " session_id, supersedes, source, deleted_at, dedup_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)")) {
                st.setString(1, namespace);
                st.setLong(2, cursor);
                st.setString(3, event.id());
                st.setLong(4, now);
                st.setString(5, e.type());
                st.setBytes(6, e.payload());
                st.setString(7, Db.json(e.metadata()));
                st.setString(8, e.role());
                st.setString(9, e.sessionId());
                st.setString(10, Db.json(e.supersedes()));
                st.setString(11, e.source());
                st.setString(12, e.dedupKey().orElse(null));
                st.executeUpdate();
            }
            return event;
        });
    }

    @Override
    public void range(String namespace, RangeQuery q, Consumer<Event> sink) {
        var sql = new StringBuilder("SELECT " + COLUMNS + " FROM episodic_events WHERE namespace = ? AND cursor > ?");
        var args = new ArrayList<Object>(List.of(namespace, q.afterCursor()));
        if (q.beforeCursor() > 0) {
            sql.append(" AND cursor < ?");
            args.add(q.beforeCursor());
        }
        q.afterTime().ifPresent(t -> {
            sql.append(" AND ts > ?");
            args.add(Db.micros(t));
        });
        q.beforeTime().ifPresent(t -> {
            sql.append(" AND ts < ?");
            args.add(Db.micros(t));
        });
        if (!q.includeDeleted()) {
            sql.append(" AND deleted_at IS NULL");
        }
        for (String[] f : new String[][] {{"session_id", q.sessionId()}, {"role", q.role()}, {"type", q.type()}}) {
            if (!f[1].isEmpty()) {
                sql.append(" AND ").append(f[0]).append(" = ?");
                args.add(f[1]);
            }
        }
        sql.append(" ORDER BY cursor").append(q.reverse() ? " DESC" : "");
        if (q.limit() > 0) {
            sql.append(" LIMIT ?");
            args.add(q.limit());
        }
        List<Event> events = db.read("episodic.range", c -> all(c, sql.toString(), args.toArray()));
        events.forEach(sink); // sent without the lock: a slow reader never blocks appends
    }

    @Override
    public long lastCursor(String namespace) {
        return db.read("episodic.last", c -> last(c, namespace));
    }

    private static long last(Connection c, String namespace) throws SQLException {
        try (var st = c.prepareStatement("SELECT last_cursor FROM episodic_cursors WHERE namespace = ?")) {
            st.setString(1, namespace);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    @Override
    public void awaitAppend(String namespace, long cursor, Duration max) throws InterruptedException {
        db.await(() -> lastCursor(namespace) > cursor, max.toNanos());
    }

    @Override
    public long expire(String namespace, ExpireQuery q) {
        return db.write("episodic.expire", c -> {
            var sql = new StringBuilder("SELECT cursor FROM episodic_events WHERE namespace = ?");
            var args = new ArrayList<Object>(List.of(namespace));
            if (q.beforeCursor() > 0) {
                sql.append(" AND cursor < ?");
                args.add(q.beforeCursor());
            }
            q.beforeTime().ifPresent(t -> {
                sql.append(" AND ts < ?");
                args.add(Db.micros(t));
            });
            if (!q.hard()) {
                sql.append(" AND deleted_at IS NULL");
            }
            sql.append(" ORDER BY cursor LIMIT ?");
            args.add(q.maxRows());
            var cursors = new ArrayList<Long>();
            try (var st = c.prepareStatement(sql.toString())) {
                bind(st, args.toArray());
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        cursors.add(rs.getLong(1));
                    }
                }
            }
            String change = q.hard() ? "DELETE FROM episodic_events WHERE namespace = ? AND cursor = ?"
                    : "UPDATE episodic_events SET deleted_at = " + db.now() + " WHERE namespace = ? AND cursor = ?";
            try (var st = c.prepareStatement(change)) {
                for (long cursor : cursors) {
                    st.setString(1, namespace);
                    st.setLong(2, cursor);
                    st.addBatch();
                }
                st.executeBatch();
            }
            return (long) cursors.size();
        });
    }

    @Override
    public List<String> namespaces() {
        return db.read("episodic.namespaces", c -> {
            var out = new ArrayList<String>();
            try (var st = c.prepareStatement("SELECT namespace FROM episodic_cursors ORDER BY namespace"); ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    private static Optional<Event> one(Connection c, String sql, Object... args) throws SQLException {
        List<Event> found = all(c, sql, args);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
    }

    private static List<Event> all(Connection c, String sql, Object... args) throws SQLException {
        try (var st = c.prepareStatement(sql)) {
            bind(st, args);
            var out = new ArrayList<Event>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    long deleted = rs.getLong(11);
                    boolean live = rs.wasNull();
                    out.add(new Event(rs.getString(1), rs.getLong(2), Db.instant(rs.getLong(3)), rs.getString(4), rs.getBytes(5),
                            Db.map(rs.getString(6)), rs.getString(7), rs.getString(8), Db.list(rs.getString(9)), rs.getString(10),
                            live ? Optional.empty() : Optional.of(Db.instant(deleted))));
                }
            }
            return out;
        }
    }

    private static void bind(java.sql.PreparedStatement st, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            st.setObject(i + 1, args[i]);
        }
    }
}
