package io.memsidecar.driver.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.memsidecar.core.Evictions;
import io.memsidecar.core.Options;
import io.memsidecar.core.spi.Backend;
import io.memsidecar.core.spi.BackendSpec;
import io.memsidecar.core.spi.StoreSet;
import io.memsidecar.core.spi.Sweeper;
import io.memsidecar.episodic.spi.EpisodicStore;
import io.memsidecar.graph.spi.GraphStore;
import io.memsidecar.kv.spi.KvStore;
import io.memsidecar.lease.spi.LeaseStore;
import io.memsidecar.semantic.spi.SemanticStore;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A PostgreSQL backend: one HikariCP pool, the schema migrated at open, a LISTEN connection for
 * lease releases, and a sweeper that deletes expired KV rows and leases every
 * {@code sweeper_interval} (reads never see them anyway).
 *
 * <p>Plain JDBC on the pool rather than helidon-dbclient: the stores need statement-level
 * control (RETURNING with conditional upserts, advisory locks, keyset paging) that the
 * dbclient abstraction would only wrap.
 */
final class PostgresBackend implements Backend {
    private static final int SWEEP_BATCH = 10_000;

    private final String name;
    private final PatientConnections connections;
    private final DeadlinePool dataSource;
    private final PostgresKvStore kv;
    private final Notifications leaseNotifications;
    private final PostgresLeaseStore leases;
    private final Notifications episodicNotifications;
    private final PostgresEpisodicStore episodic;
    private final PostgresSemanticStore semantic;
    private final Optional<Thread> sweeper;
    private final StoreSet stores;
    private final Evictions expired;

    PostgresBackend(BackendSpec spec) {
        this.name = spec.name();
        Options o = spec.options();
        String dsn = o.stringOrEnv("dsn").orElseThrow(() -> o.invalid("dsn", "is required (or dsn_env)"));
        HikariConfig hc = new HikariConfig();
        String jdbcUrl;
        try {
            jdbcUrl = Dsn.toJdbcUrl(dsn);
        } catch (IllegalArgumentException e) {
            throw o.invalid("dsn", e.getMessage());
        }
        this.connections = new PatientConnections(jdbcUrl);
        hc.setDataSource(connections);
        hc.setMaximumPoolSize(o.integer("max_conns", 10));
        // How long a call waits for a connection before it answers UNAVAILABLE (and never past its
        // deadline, see DeadlinePool): a database that is down makes a call wait this long (HikariCP's
        // default, 30 s, is longer than any unary deadline). Also the login timeout of a new connection.
        hc.setConnectionTimeout(Math.max(250, o.duration("connect_timeout", Duration.ofSeconds(5)).toMillis()));
        hc.setPoolName("memsidecar-" + name);
        hc.setInitializationFailTimeout(10_000);
        // Pool metrics (active, idle, pending, acquire/usage time) under the pool's name.
        hc.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(spec.meters()));
        this.expired = new Evictions(spec.meters(), "kv", "ttl");
        this.dataSource = new DeadlinePool(hc);
        try {
            Migrations.apply(dataSource);
        } catch (SQLException e) {
            dataSource.close();
            throw new IllegalStateException("backend " + name + ": schema migration failed: " + e.getMessage(), e);
        }
        connections.bePatient();
        this.kv = new PostgresKvStore(dataSource);
        this.leaseNotifications = new Notifications(jdbcUrl, PostgresLeaseStore.CHANNEL);
        this.leases = new PostgresLeaseStore(dataSource, leaseNotifications);
        this.episodicNotifications = new Notifications(jdbcUrl, PostgresEpisodicStore.CHANNEL);
        this.episodic = new PostgresEpisodicStore(dataSource, episodicNotifications);
        this.semantic = new PostgresSemanticStore(dataSource);
        this.stores = new StoreSet(Map.of(KvStore.class, kv, LeaseStore.class, leases, EpisodicStore.class, episodic,
                SemanticStore.class, semantic, GraphStore.class, new PostgresGraphStore(dataSource)));
        Duration interval = o.duration("sweeper_interval", Duration.ofMinutes(5));
        this.sweeper = Sweeper.every(interval, name, this::sweep);
    }

    DataSource dataSourceForTests() {
        return dataSource;
    }

    /** Deletes expired KV rows (in batches) and expired leases. */
    void sweep() throws SQLException {
        int removed;
        do {
            removed = kv.sweep(SWEEP_BATCH, expired);
        } while (removed == SWEEP_BATCH);
        leases.sweep();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String driver() {
        return PostgresBackendProvider.DRIVER;
    }

    @Override
    public <T> Optional<T> store(Class<T> spi) {
        return stores.get(spi);
    }

    @Override
    public void check() {
        try (var c = dataSource.getConnection(); var st = c.createStatement()) {
            st.execute("SELECT 1");
        } catch (SQLException e) {
            throw new IllegalStateException("backend " + name + " unreachable: " + e.getMessage(), e);
        }
        semantic.check();
    }

    @Override
    public void close() {
        sweeper.ifPresent(Thread::interrupt);
        leaseNotifications.close();
        episodicNotifications.close();
        connections.close();
        dataSource.close();
    }
}
