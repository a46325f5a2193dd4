package io.memsidecar.driver.postgres;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * One LISTEN connection per backend, fanned out in memory to the threads waiting on a topic.
 * A dedicated connection, outside the pool: LISTEN belongs to a session that must stay open.
 * When the connection drops, every waiter is woken (they re-check) and it reconnects.
 */
final class Notifications implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Notifications.class.getName());

    private final String jdbcUrl;
    private final String channel;
    private final ConcurrentHashMap<String, Set<CountDownLatch>> waiters = new ConcurrentHashMap<>();
    private final Thread listener;
    private volatile Connection connection;

    Notifications(String jdbcUrl, String channel) {
        this.jdbcUrl = jdbcUrl;
        this.channel = channel;
        this.listener = Thread.ofVirtual().name("memsidecar-pg-listen-" + channel).start(this::run);
    }

    /**
     * Registers for {@code topic}, then returns at once if {@code alreadyHappened} says the
     * awaited change is there (so a notification sent just before registering is not missed),
     * otherwise waits for one, at most {@code max}.
     */
    void await(String topic, Duration max, java.util.function.BooleanSupplier alreadyHappened) throws InterruptedException {
        var latch = new CountDownLatch(1);
        Set<CountDownLatch> set = waiters.computeIfAbsent(topic, t -> ConcurrentHashMap.newKeySet());
        set.add(latch);
        try {
            if (!alreadyHappened.getAsBoolean()) {
                latch.await(max.toNanos(), TimeUnit.NANOSECONDS);
            }
        } finally {
            set.remove(latch);
            waiters.computeIfPresent(topic, (t, s) -> s.isEmpty() ? null : s);
        }
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try (Connection c = DriverManager.getConnection(jdbcUrl)) {
                connection = c;
                try (var st = c.createStatement()) {
                    st.execute("LISTEN " + channel);
                }
                wakeAll(); // anything sent while we were not listening
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!Thread.currentThread().isInterrupted()) {
                    PGNotification[] batch = pg.getNotifications(1000);
                    if (batch != null) {
                        for (PGNotification n : batch) {
                            wake(n.getParameter());
                        }
                    }
                }
            } catch (SQLException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                LOG.log(Level.WARNING, "LISTEN " + channel + " connection lost, reconnecting: " + e.getMessage());
                wakeAll();
                try {
                    Thread.sleep(250);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void wake(String topic) {
        Set<CountDownLatch> set = waiters.get(topic);
        if (set != null) {
            set.forEach(CountDownLatch::countDown);
        }
    }

    private void wakeAll() {
        waiters.values().forEach(s -> s.forEach(CountDownLatch::countDown));
    }

    @Override
    public void close() {
        listener.interrupt();
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }
}
