package io.memsidecar.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.lease.LeaseStoreConformance;
import io.memsidecar.lease.spi.LeaseStore;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresLeaseStoreTest extends LeaseStoreConformance {
    @RegisterExtension
    static final TestBackend DB = new TestBackend();

    @Override
    protected LeaseStore store() {
        return DB.backend().store(LeaseStore.class).orElseThrow();
    }

    /** Expiry is the database's clock; moving time forward means moving the lease times back. */
    @Override
    protected void advance(Duration duration) {
        try (var c = DB.backend().dataSourceForTests().getConnection(); var st = c.prepareStatement(
                "UPDATE leases SET expires_at = expires_at - ? * interval '1 microsecond',"
                        + " acquired_at = acquired_at - ? * interval '1 microsecond' WHERE namespace = ?")) {
            st.setLong(1, duration.toNanos() / 1000);
            st.setLong(2, duration.toNanos() / 1000);
            st.setString(3, ns);
            st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theSweeperDeletesExpiredLeasesButTokensKeepIncreasing() throws SQLException {
        long first = store().tryAcquire(ns, "job", Duration.ofSeconds(5), Map.of()).lease().orElseThrow().fencingToken();
        advance(Duration.ofSeconds(6));
        DB.backend().sweep();
        try (var c = DB.backend().dataSourceForTests().getConnection();
             var st = c.prepareStatement("SELECT count(*) FROM leases WHERE namespace = ?")) {
            st.setString(1, ns);
            var rs = st.executeQuery();
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
        long second = store().tryAcquire(ns, "job", Duration.ofSeconds(5), Map.of()).lease().orElseThrow().fencingToken();
        assertThat(second).isGreaterThan(first);
    }
}
