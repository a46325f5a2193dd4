package io.memsidecar.tests.bench;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.memsidecar.proto.kv.v1.KVGrpc;
import io.memsidecar.proto.kv.v1.PutRequest;
import io.memsidecar.proto.kv.v1.TxnCompare;
import io.memsidecar.proto.kv.v1.TxnOp;
import io.memsidecar.proto.kv.v1.TxnPut;
import io.memsidecar.proto.kv.v1.TxnRequest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.ReentrantLock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Two keys changed together, closed loop, N clients each on its own pairs (so every compare holds):
 * {@code txn} — one KV.Txn comparing both versions and putting both; {@code cas} — two Puts with
 * if_version, one after the other; {@code jdbc-txn} — the same transaction over direct JDBC on
 * PostgreSQL ({@code --jdbc postgresql URL}) or SQLite ({@code --jdbc sqlite URL}: one connection
 * behind a lock, as the SQLite driver holds its file), with the row shape the KV drivers write.
 * One JSON line: ops/s and latency percentiles.
 */
@Command(name = "txn-load", mixinStandardHelpOptions = true)
public final class TxnLoad implements Callable<Integer> {
    @Mixin
    LoadOptions run = new LoadOptions();
    @Option(names = "--op", defaultValue = "txn", description = "txn | cas | jdbc-txn")
    String op;
    @Option(names = "--warmup-seconds", defaultValue = "3")
    int warmup;
    @Option(names = "--pairs", defaultValue = "64", description = "key pairs per client")
    int pairs;

    private static final byte[] VALUE = new byte[100];

    static {
        Arrays.fill(VALUE, (byte) 'x');
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new TxnLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        var clients = new ArrayList<Measure.Call>();
        var closeables = new ArrayList<AutoCloseable>();
        String prefix = op + "-" + System.nanoTime() + "/";
        if (op.equals("jdbc-txn")) {
            boolean sqlite = run.jdbc.startsWith("jdbc:sqlite:");
            Connection shared = sqlite ? sqlite(run.jdbc) : null;
            var lock = new ReentrantLock(true); // fair: the clients queue in turn, as calls to the driver do
            for (int c = 0; c < run.clients; c++) {
                Connection conn = sqlite ? shared : DriverManager.getConnection(run.jdbc);
                if (!sqlite) {
                    closeables.add(conn);
                }
                var txn = new JdbcTxn(conn, sqlite, run.namespace + "-jdbc");
                String client = prefix + c + "/";
                clients.add(sqlite ? i -> {
                    lock.lock(); // one connection, as the SQLite driver has
                    try {
                        txn.run(client + "a" + (i % pairs), client + "b" + (i % pairs));
                    } finally {
                        lock.unlock();
                    }
                } : i -> txn.run(client + "a" + (i % pairs), client + "b" + (i % pairs)));
            }
            if (shared != null) {
                closeables.add(shared);
            }
        } else {
            ManagedChannel channel = run.open();
            closeables.add(channel::shutdownNow);
            var stub = KVGrpc.newBlockingStub(run.authenticated(channel));
            for (int c = 0; c < run.clients; c++) {
                String client = prefix + c + "/";
                long[] versions = new long[2 * pairs];
                clients.add(i -> {
                    int p = i % pairs;
                    String a = client + "a" + p;
                    String b = client + "b" + p;
                    if (op.equals("txn")) {
                        var r = stub.txn(TxnRequest.newBuilder().setNamespace(run.namespace)
                                .addCompare(TxnCompare.newBuilder().setKey(a).setVersion(versions[2 * p]))
                                .addCompare(TxnCompare.newBuilder().setKey(b).setVersion(versions[2 * p + 1]))
                                .addSuccess(TxnOp.newBuilder().setPut(TxnPut.newBuilder().setKey(a).setValue(ByteString.copyFrom(VALUE))))
                                .addSuccess(TxnOp.newBuilder().setPut(TxnPut.newBuilder().setKey(b).setValue(ByteString.copyFrom(VALUE))))
                                .build());
                        if (!r.getSucceeded()) {
                            throw new IllegalStateException("a compare failed: the pairs are the client's own");
                        }
                        versions[2 * p] = r.getResults(0).getPut().getVersion();
                        versions[2 * p + 1] = r.getResults(1).getPut().getVersion();
                    } else {
                        versions[2 * p] = stub.put(PutRequest.newBuilder().setNamespace(run.namespace).setKey(a)
                                .setValue(ByteString.copyFrom(VALUE)).setIfVersion(versions[2 * p]).build()).getVersion();
                        versions[2 * p + 1] = stub.put(PutRequest.newBuilder().setNamespace(run.namespace).setKey(b)
                                .setValue(ByteString.copyFrom(VALUE)).setIfVersion(versions[2 * p + 1]).build()).getVersion();
                    }
                });
            }
        }
        Measure.closedLoop(clients, warmup);
        Measure.report(op, run.clients, run.seconds, Measure.closedLoop(clients, run.seconds));
        for (AutoCloseable c : closeables) {
            c.close();
        }
        return 0;
    }

    private static Connection sqlite(String url) throws SQLException {
        Connection c = DriverManager.getConnection(url);
        try (var st = c.createStatement()) {
            st.execute("PRAGMA journal_mode = WAL");
            st.execute("PRAGMA synchronous = FULL");
            st.execute("""
                    CREATE TABLE IF NOT EXISTS kv_items (namespace TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
                        content_type TEXT NOT NULL, metadata TEXT NOT NULL, version INTEGER NOT NULL, created_at INTEGER NOT NULL,
                        expires_at INTEGER, PRIMARY KEY (namespace, key)) WITHOUT ROWID""");
        }
        return c;
    }

    /** The transaction the drivers run, by hand: lock (or read) both rows, compare their versions, write both. */
    private static final class JdbcTxn {
        private final Connection c;
        private final boolean sqlite;
        private final String namespace;

        JdbcTxn(Connection c, boolean sqlite, String namespace) throws SQLException {
            this.c = c;
            this.sqlite = sqlite;
            this.namespace = namespace;
        }

        void run(String a, String b) throws SQLException {
            if (sqlite) {
                try (var st = c.createStatement()) {
                    st.execute("BEGIN IMMEDIATE");
                }
            } else {
                c.setAutoCommit(false);
            }
            try {
                long[] versions = new long[2];
                List<String> keys = List.of(a, b);
                try (var st = c.prepareStatement("SELECT key, version FROM kv_items WHERE namespace = ? AND key IN (?, ?)"
                        + (sqlite ? "" : " ORDER BY key FOR UPDATE"))) {
                    st.setString(1, namespace);
                    st.setString(2, a);
                    st.setString(3, b);
                    try (var rs = st.executeQuery()) {
                        while (rs.next()) {
                            versions[keys.indexOf(rs.getString(1))] = rs.getLong(2);
                        }
                    }
                }
                String upsert = sqlite
                        ? "INSERT OR REPLACE INTO kv_items (namespace, key, value, content_type, metadata, version, created_at, expires_at)"
                                + " VALUES (?, ?, ?, '', '{}', ?, 0, NULL)"
                        : "INSERT INTO kv_items AS t (namespace, key, value, content_type, metadata, version, created_at, updated_at,"
                                + " expires_at) VALUES (?, ?, ?, '', '{}'::jsonb, ?, now(), now(), NULL) ON CONFLICT (namespace, key)"
                                + " DO UPDATE SET value = EXCLUDED.value, version = EXCLUDED.version, updated_at = now()";
                try (var st = c.prepareStatement(upsert)) {
                    for (int k = 0; k < 2; k++) {
                        st.setString(1, namespace);
                        st.setString(2, keys.get(k));
                        st.setBytes(3, VALUE);
                        st.setLong(4, versions[k] + 1);
                        st.executeUpdate();
                    }
                }
                if (sqlite) {
                    try (var st = c.createStatement()) {
                        st.execute("COMMIT");
                    }
                } else {
                    c.commit();
                }
            } catch (SQLException | RuntimeException e) {
                if (sqlite) {
                    try (var st = c.createStatement()) {
                        st.execute("ROLLBACK");
                    }
                } else {
                    c.rollback();
                }
                throw e;
            }
        }
    }
}
