package io.memsidecar.lease.spi;

import java.time.Duration;
import java.util.Optional;

/**
 * The outcome of one acquire attempt: the new lease, or how long the current holder's lease has
 * left by the backend's clock (so a waiter knows when to try again without trusting its own).
 */
public record AcquireResult(Optional<Lease> lease, Duration heldFor) {
    public static AcquireResult acquired(Lease lease) {
        return new AcquireResult(Optional.of(lease), Duration.ZERO);
    }

    public static AcquireResult held(Duration remaining) {
        return new AcquireResult(Optional.empty(), remaining);
    }
}
