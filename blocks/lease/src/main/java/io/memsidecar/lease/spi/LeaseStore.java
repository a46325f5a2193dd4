package io.memsidecar.lease.spi;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lease driver SPI. Expiry is decided by the backend's clock only. Every method is atomic
 * across all sidecars sharing the backend.
 */
public interface LeaseStore {
    /**
     * One attempt: takes the key when it is free or its lease has expired, with a fresh holder id,
     * {@code acquiredAt = now}, {@code expiresAt = now + ttl} and a fencing token greater than
     * every token granted before for this key. Otherwise reports how long the holder has left.
     */
    AcquireResult tryAcquire(String namespace, String key, Duration ttl, Map<String, String> metadata);

    /**
     * Blocks until the key may have become free (a release, here or on another sidecar) or
     * {@code max} passes. Spurious returns are allowed; callers try again.
     */
    void awaitChange(String namespace, String key, Duration max) throws InterruptedException;

    /**
     * Extends a live lease held by {@code holderId} to now + ttl (fencing token unchanged).
     * FAILED_PRECONDITION "not held by this holder" otherwise.
     */
    Lease renew(String namespace, String key, String holderId, Duration ttl);

    /**
     * Removes the lease; false when there is none. FAILED_PRECONDITION when another holder has it.
     */
    boolean release(String namespace, String key, String holderId);

    /** The live lease of the key. */
    Optional<Lease> inspect(String namespace, String key);

    /** The live leases of the namespace, sorted by key. */
    List<Lease> list(String namespace);
}
