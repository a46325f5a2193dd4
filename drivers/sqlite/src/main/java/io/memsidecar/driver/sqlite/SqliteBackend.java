package io.memsidecar.driver.sqlite;

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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One SQLite file serving kv, episodic, lease, graph and semantic, with a sweeper for expired keys
 * and leases that also saves the semantic graphs.
 */
final class SqliteBackend implements Backend {

    private final String name;
    private final Db db;
    private final SqliteKvStore kv;
    private final SqliteLeaseStore leases;
    private final SqliteSemanticStore semantic;
    private final StoreSet stores;
    private final Evictions expired;
    private final Optional<Thread> sweeper;

    SqliteBackend(BackendSpec spec) {
        this.name = spec.name();
        Options o = spec.options();
        Path path = Path.of(o.string("path").orElseThrow(() -> o.invalid("path", "is required (the database file)")));
        String synchronous = o.string("synchronous").orElse("full").toUpperCase(Locale.ROOT);
        if (!synchronous.equals("FULL") && !synchronous.equals("NORMAL")) {
            throw o.invalid("synchronous", "must be full or normal");
        }
        try {
            Path dir = path.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            this.db = new Db(path.toString(), synchronous, spec.clock());
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("backend " + name + ": cannot open " + path + ": " + e.getMessage(), e);
        }
        this.kv = new SqliteKvStore(db, new Evictions(spec.meters(), "kv", "capacity"));
        this.leases = new SqliteLeaseStore(db);
        int exactMax = o.integer("semantic_exact_max", 10_000);
        if (exactMax < 0) {
            throw o.invalid("semantic_exact_max", "must be >= 0");
        }
        this.semantic = new SqliteSemanticStore(db, Path.of(path + ".ann"), exactMax);
        this.expired = new Evictions(spec.meters(), "kv", "ttl");
        this.stores = new StoreSet(Map.of(KvStore.class, kv, LeaseStore.class, leases, EpisodicStore.class, new SqliteEpisodicStore(db),
                GraphStore.class, new SqliteGraphStore(db), SemanticStore.class, semantic));
        Duration interval = o.duration("sweeper_interval", Duration.ofMinutes(5));
        this.sweeper = Sweeper.every(interval, name, this::sweep);
    }

    /** Deletes expired KV rows and leases, and saves the semantic graphs that changed. */
    void sweep() {
        kv.sweep(expired);
        leases.sweep();
        semantic.save();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String driver() {
        return SqliteBackendProvider.DRIVER;
    }

    @Override
    public <T> Optional<T> store(Class<T> spi) {
        return stores.get(spi);
    }

    @Override
    public void check() {
        db.read("check", c -> {
            try (var st = c.createStatement()) {
                st.execute("SELECT 1");
            }
            return null;
        });
    }

    @Override
    public void close() {
        sweeper.ifPresent(Thread::interrupt);
        semantic.save();
        db.close();
    }
}
