package io.memsidecar.core;

import java.time.Duration;

/**
 * The deadline of the call running on this thread, so that a driver bounds its waits (a pool's
 * connection, a statement) by what is left of it rather than by its own fixed timeouts. Set around
 * the handler by the server's deadline filter: the caller's deadline ({@code grpc-timeout}), else
 * {@code server.request_timeout} for a unary call. A long-poll (lease {@code wait_for}) extends the
 * server's default by what it was asked to wait, never the caller's own deadline; a stream (tail,
 * artifact) has only the caller's.
 *
 * <p>Handlers block on their call's own virtual thread, so a thread-local is the call's scope.
 */
public final class Deadline {
    private static final ThreadLocal<Deadline> CURRENT = new ThreadLocal<>();

    private final long callerNanos;
    private volatile long defaultNanos;

    private Deadline(long callerNanos, long defaultNanos) {
        this.callerNanos = callerNanos;
        this.defaultNanos = defaultNanos;
    }

    /** A scope that restores the previous deadline when closed. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Binds a deadline to this thread: {@code callerNanos} ({@link System#nanoTime()} based, or
     * {@link Long#MAX_VALUE} for none) and the server's default {@code defaultNanos} (the same).
     */
    public static Scope bind(long callerNanos, long defaultNanos) {
        Deadline previous = CURRENT.get();
        CURRENT.set(new Deadline(callerNanos, defaultNanos));
        return () -> {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        };
    }

    /** {@code work} as it must run on another thread of the same call: under this thread's deadline. */
    public static <T> java.util.function.Supplier<T> carried(java.util.function.Supplier<T> work) {
        Deadline d = CURRENT.get();
        return () -> {
            Deadline previous = CURRENT.get();
            CURRENT.set(d);
            try {
                return work.get();
            } finally {
                CURRENT.set(previous);
            }
        };
    }

    /** A long-poll waits {@code wait} more than the server's default would allow (never past the caller's deadline). */
    public static void allowWait(Duration wait) {
        Deadline d = CURRENT.get();
        if (d != null && d.defaultNanos != Long.MAX_VALUE) {
            d.defaultNanos = saturatedAdd(d.defaultNanos, wait.toNanos());
        }
    }

    /** Kept back from a deadline for the answer to travel: a tenth of what is left, at most 100 ms. */
    private static final long ANSWER_MARGIN_NANOS = 100_000_000;

    /**
     * What a driver may spend waiting on its backend (a connection, a statement, a request): what is left
     * of this thread's call less a margin, so that its answer (UNAVAILABLE) reaches the caller before the
     * caller's own deadline does. {@link Long#MAX_VALUE} when the call has no deadline; ≤ 0 when it is spent.
     */
    public static long budgetNanos() {
        Deadline d = CURRENT.get();
        if (d == null) {
            return Long.MAX_VALUE;
        }
        long at = Math.min(d.callerNanos, d.defaultNanos);
        if (at == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long left = at - System.nanoTime();
        return left - Math.min(ANSWER_MARGIN_NANOS, Math.max(0, left / 10));
    }

    /** {@code start + timeout} in {@link System#nanoTime()} terms, saturating at "none". */
    public static long after(long start, Duration timeout) {
        return timeout.isZero() ? Long.MAX_VALUE : saturatedAdd(start, timeout.toNanos());
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
