package io.memsidecar.server.transport;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The caller's deadline as a transport carries it: gRPC's {@code grpc-timeout} header (an ASCII
 * integer of at most 8 digits and a unit, H M S m u n), or Connect's {@code connect-timeout-ms} on
 * the HTTP gateway; grpc-java's own transport hands it over as the call context's deadline.
 */
final class CallDeadline {
    private CallDeadline() {
    }

    /** {@link System#nanoTime()} based, {@link Long#MAX_VALUE} when no (well-formed) timeout was sent. */
    static long from(Optional<String> grpcTimeout, Optional<String> connectTimeoutMs) {
        long start = System.nanoTime();
        OptionalNanos t = grpcTimeout.map(CallDeadline::grpc).orElseGet(() -> connectTimeoutMs.map(CallDeadline::millis)
                .orElse(OptionalNanos.NONE));
        return t == OptionalNanos.NONE ? Long.MAX_VALUE : start + t.nanos;
    }

    /** The deadline of grpc-java's context ({@code io.grpc.Context}), when the call has one. */
    static long from(io.grpc.Deadline deadline) {
        return deadline == null ? Long.MAX_VALUE : System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS);
    }

    private record OptionalNanos(long nanos) {
        static final OptionalNanos NONE = new OptionalNanos(-1);
    }

    private static OptionalNanos grpc(String value) {
        if (value.length() < 2 || value.length() > 9) {
            return OptionalNanos.NONE;
        }
        long n;
        try {
            n = Long.parseLong(value.substring(0, value.length() - 1));
        } catch (NumberFormatException e) {
            return OptionalNanos.NONE;
        }
        TimeUnit unit = switch (value.charAt(value.length() - 1)) {
            case 'H' -> TimeUnit.HOURS;
            case 'M' -> TimeUnit.MINUTES;
            case 'S' -> TimeUnit.SECONDS;
            case 'm' -> TimeUnit.MILLISECONDS;
            case 'u' -> TimeUnit.MICROSECONDS;
            case 'n' -> TimeUnit.NANOSECONDS;
            default -> null;
        };
        return unit == null || n < 0 ? OptionalNanos.NONE : new OptionalNanos(unit.toNanos(n));
    }

    private static OptionalNanos millis(String value) {
        try {
            long ms = Long.parseLong(value.trim());
            return ms < 0 ? OptionalNanos.NONE : new OptionalNanos(TimeUnit.MILLISECONDS.toNanos(ms));
        } catch (NumberFormatException e) {
            return OptionalNanos.NONE;
        }
    }
}
