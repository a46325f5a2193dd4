package io.memsidecar.driver.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/**
 * Applies the schema files under {@code migrations/} once each, recorded in
 * {@code schema_migrations} as the original did. Sidecars starting together serialize on an
 * advisory lock, so each file runs exactly once per database.
 */
final class Migrations {
    /** In order; never edit an applied file, add a new one. */
    static final List<String> ALL = List.of("0001_init", "0002_leases", "0003_episodic", "0004_semantic",
            "0005_graph");
    static final long LOCK_KEY = 0x6d656d7369646563L; // "memsidec"

    private Migrations() {
    }

    static void apply(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (var st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
                st.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                        + "version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
                for (String version : ALL) {
                    try (var check = c.prepareStatement("SELECT 1 FROM schema_migrations WHERE version = ?")) {
                        check.setString(1, version);
                        if (check.executeQuery().next()) {
                            continue;
                        }
                    }
                    st.execute(read(version));
                    try (var mark = c.prepareStatement("INSERT INTO schema_migrations(version) VALUES (?)")) {
                        mark.setString(1, version);
                        mark.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                Transactions.rollback(c, e);
                throw e;
            }
        }
    }

    private static String read(String version) {
        String path = "migrations/" + version + ".sql";
        try (InputStream in = Migrations.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing migration resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
