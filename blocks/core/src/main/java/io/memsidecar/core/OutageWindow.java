package io.memsidecar.core;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * How a long-running call (an episodic tail, a lease waiter) rides out a backend outage: while the
 * backend answers UNAVAILABLE it pauses and tries again, keeping its own position, for at most
 * {@code max} in one outage ({@code server.tail_reconnect_max}); after that the UNAVAILABLE goes to
 * the caller, who resumes from what it last received. Any other error ends the call at once.
 */
public final class OutageWindow {
    private static final long PAUSE_MILLIS = 250;

    private final Duration max;
    private long downSince = -1;

    public OutageWindow(Duration max) {
        this.max = max;
    }

    /** The backend answered: any outage is over. */
    public void up() {
        downSince = -1;
    }

    /**
     * The backend failed with {@code e}: rethrows it unless it is UNAVAILABLE and the outage is
     * younger than {@code max}; otherwise returns after a short pause (at once when cancelled).
     */
    public void down(ApiException e, BooleanSupplier cancelled) {
        if (e.code() != Code.UNAVAILABLE) {
            throw e;
        }
        long now = System.nanoTime();
        if (downSince < 0) {
            downSince = now;
        }
        if (now - downSince >= max.toNanos()) {
            throw new ApiException(Code.UNAVAILABLE, e.getMessage() + " (unavailable for " + max.toSeconds()
                    + " s; resume from the last position received)", e);
        }
        if (cancelled.getAsBoolean()) {
            return;
        }
        try {
            Thread.sleep(PAUSE_MILLIS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new ApiException(Code.CANCELLED, "interrupted while the backend was unavailable");
        }
    }
}
