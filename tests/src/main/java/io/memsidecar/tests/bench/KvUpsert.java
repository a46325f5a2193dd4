package io.memsidecar.tests.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The PostgreSQL KV driver's row shape written by plain JDBC, one prepared statement on one
 * connection: the baselines of the PostgreSQL Put measurements (KvLoad's {@code jdbc-put} and
 * GrpcBaseline's {@code --jdbc}). Not thread-safe: one per thread, or behind a lock.
 */
final class KvUpsert implements AutoCloseable {
    private final PreparedStatement statement;

    KvUpsert(Connection connection) throws SQLException {
        this.statement = connection.prepareStatement("""
                INSERT INTO kv_items AS t (namespace, key, value, content_type, metadata, version, created_at, updated_at, expires_at)
                VALUES (?, ?, ?, '', '{}'::jsonb, 1, now(), now(), NULL)
                ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, content_type = EXCLUDED.content_type,
                  metadata = EXCLUDED.metadata, version = t.version + 1, updated_at = now(), expires_at = EXCLUDED.expires_at
                RETURNING key, value, content_type, metadata::text, version, created_at, expires_at""");
    }

    /** Upserts the row; returns its new version. */
    long put(String namespace, String key, byte[] value) throws SQLException {
        statement.setString(1, namespace);
        statement.setString(2, key);
        statement.setBytes(3, value);
        try (ResultSet rs = statement.executeQuery()) {
            rs.next();
            return rs.getLong("version");
        }
    }

    @Override
    public void close() throws SQLException {
        statement.getConnection().close();
    }
}
