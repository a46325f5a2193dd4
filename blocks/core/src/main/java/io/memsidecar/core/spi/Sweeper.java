package io.memsidecar.core.spi;

import java.time.Duration;
import java.util.Optional;

/**
 * A backend's periodic cleanup (expired keys, leases) on a virtual thread: runs {@code sweep}
 * every {@code interval} until interrupted; a failing sweep is logged and retried next time.
 */
public final class Sweeper {
    private static final System.Logger LOG = System.getLogger(Sweeper.class.getName());

    /** What one sweep does; it may fail with any exception. */
    @FunctionalInterface
    public interface Sweep {
        void run() throws Exception;
    }

    private Sweeper() {
    }

    /** The sweeping thread, or empty when {@code interval} is zero or negative (sweeping off). */
    public static Optional<Thread> every(Duration interval, String backend, Sweep sweep) {
        if (interval.isNegative() || interval.isZero()) {
            return Optional.empty();
        }
        return Optional.of(Thread.ofVirtual().name("memsidecar-sweep-" + backend).start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(interval);
                    sweep.run();
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.WARNING, "backend " + backend + ": sweep failed: " + e.getMessage());
                }
            }
        }));
    }
}
