package io.memsidecar.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.kv.KvStoreConformance;
import io.memsidecar.kv.spi.KvStore;
import io.memsidecar.kv.spi.KvWrite;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresKvStoreTest extends KvStoreConformance {
    @RegisterExtension
    static final TestBackend DB = new TestBackend();

    @Override
    protected KvStore store() {
        return DB.backend().store(KvStore.class).orElseThrow();
    }

    /** Expiry is the database's clock; moving time forward means moving the deadlines back. */
    @Override
    protected void advance(Duration duration) {
        try (var c = DB.backend().dataSourceForTests().getConnection(); var st = c.prepareStatement(
                "UPDATE kv_items SET expires_at = expires_at - ? * interval '1 microsecond'"
                        + " WHERE (namespace = ? OR starts_with(namespace, ?)) AND expires_at IS NOT NULL")) {
            st.setLong(1, duration.toNanos() / 1000);
            st.setString(2, ns);
            st.setString(3, ns + "-");
            st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void sweeperDeletesExpiredRows() throws SQLException {
        store().put(ns, "gone", KvWrite.of(new byte[] {1}).withTtl(Duration.ofSeconds(1)));
        store().put(ns, "kept", KvWrite.of(new byte[] {1}));
        advance(Duration.ofSeconds(2));
        DB.backend().sweep();
        try (var c = DB.backend().dataSourceForTests().getConnection(); var st = c.prepareStatement(
                "SELECT key FROM kv_items WHERE namespace = ? ORDER BY key")) {
            st.setString(1, ns);
            var rs = st.executeQuery();
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("kept");
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void migrationsAreIdempotentAcrossBackends() {
        try (var second = TestDatabase.open(Map.of("sweeper_interval", "0"))) {
            second.check();
        }
    }

    @Test
    void dsnInLibpqUrlFormIsAccepted() {
        assertThat(Dsn.toJdbcUrl("postgres://app:s%40cret@db.internal:5433/mem?sslmode=disable"))
                .isEqualTo("jdbc:postgresql://db.internal:5433/mem?user=app&password=s%40cret&sslmode=disable");
        assertThat(Dsn.toJdbcUrl("postgresql://localhost/test")).isEqualTo("jdbc:postgresql://localhost:5432/test");
    }
}
