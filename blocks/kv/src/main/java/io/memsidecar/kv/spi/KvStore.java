package io.memsidecar.kv.spi;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The KV driver SPI. Every method blocks and is safe to call from many threads and from many
 * sidecars sharing one backend: atomicity is the backend's, never a lock in one process.
 * Keys are ordered by their UTF-8 bytes. An expired key behaves exactly like a missing one.
 * Errors are {@link io.memsidecar.core.ApiException}s with the codes named below; anything
 * else is a backend fault.
 */
public interface KvStore {
    /** The live record, or empty when the key is missing or expired. */
    Optional<KvRecord> get(String namespace, String key);

    /** The live records of the distinct {@code keys}, sorted by key. */
    List<KvRecord> multiGet(String namespace, Collection<String> keys);

    /**
     * Writes the key atomically. A new (or expired) key gets version 1 and a fresh
     * {@code createdAt}; an overwrite gets the stored version + 1 and keeps {@code createdAt};
     * no concurrent writer is ever lost. Fails with FAILED_PRECONDITION "version mismatch" when
     * {@code ifVersion} is set and differs from the stored version (0 for missing), and with
     * RESOURCE_EXHAUSTED when the write would add a key past {@code maxItems}.
     */
    KvRecord put(String namespace, String key, KvWrite write);

    /**
     * Deletes the key; true when a live key was removed. With {@code ifVersion}: 0 succeeds only
     * on a missing key, any other value must equal the stored version, otherwise
     * FAILED_PRECONDITION "version mismatch".
     */
    boolean delete(String namespace, String key, OptionalLong ifVersion);

    /**
     * Sends the live records of the scan to {@code sink} in key order. An exception thrown by
     * the sink stops the scan and propagates unchanged.
     */
    void scan(String namespace, KvScan scan, Consumer<KvRecord> sink);

    /**
     * Runs a multi-key transaction (KV.Txn) atomically: its compares and the ops of the branch
     * they choose see no other write in between and are all applied or none is (a failure, such
     * as RESOURCE_EXHAUSTED from the quota, undoes the writes before it). Concurrent
     * transactions never deadlock; one that cannot be serialized is retried by the driver or
     * fails with ABORTED.
     */
    KvTxn.Result txn(String namespace, KvTxn txn);

    /** The number of live keys, when the backend can count it cheaply. */
    OptionalLong size(String namespace);

    /**
     * What a tracking access tier recorded for a live key ({@code found} false when it is missing or
     * expired); empty when this store does not track reads. Not an access itself.
     */
    default Optional<KeyAccess> access(String namespace, String key) {
        return Optional.empty();
    }
}
