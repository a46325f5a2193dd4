package io.memsidecar.kv.spi;

import io.memsidecar.core.KeyOrder;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A KV store seen through an access tier, as a driver's {@link AccessTiered#withAccess} returns
 * it: Gets that record reads go through {@link #accessed}, Puts with a capacity through
 * {@link #putEvicting}; everything else is the store's own.
 */
public abstract class AccessTierView implements KvStore {
    protected final KvStore store;
    protected final KvAccess access;

    protected AccessTierView(KvStore store, KvAccess access) {
        this.store = store;
        this.access = access;
    }

    /** The live records of {@code keys} (distinct, in UTF-8 order), each read recorded and its TTL slid, atomically. */
    protected abstract List<KvRecord> accessed(String namespace, Collection<String> keys);

    /** A Put, then the eviction of the coldest other keys past the capacity, atomically. */
    protected abstract KvRecord putEvicting(String namespace, String key, KvWrite write);

    /** A transaction whose get ops are accesses and whose puts evict past the capacity, as single-key calls do. */
    protected abstract KvTxn.Result txnThrough(String namespace, KvTxn txn);

    /** The recorded reads of a key ({@link KeyAccess#ABSENT} when it is not live). */
    protected abstract KeyAccess readsOf(String namespace, String key);

    @Override
    public Optional<KeyAccess> access(String namespace, String key) {
        return access.track() ? Optional.of(readsOf(namespace, key)) : Optional.empty();
    }

    @Override
    public Optional<KvRecord> get(String namespace, String key) {
        return access.recordsReads() ? accessed(namespace, List.of(key)).stream().findFirst() : store.get(namespace, key);
    }

    @Override
    public List<KvRecord> multiGet(String namespace, Collection<String> keys) {
        if (!access.recordsReads()) {
            return store.multiGet(namespace, keys);
        }
        var sorted = new TreeSet<String>(KeyOrder.UTF8);
        sorted.addAll(keys);
        return accessed(namespace, sorted);
    }

    @Override
    public KvRecord put(String namespace, String key, KvWrite write) {
        return access.capacity() > 0 ? putEvicting(namespace, key, write) : store.put(namespace, key, write);
    }

    @Override
    public KvTxn.Result txn(String namespace, KvTxn txn) {
        return txnThrough(namespace, txn);
    }

    @Override
    public boolean delete(String namespace, String key, OptionalLong ifVersion) {
        return store.delete(namespace, key, ifVersion);
    }

    @Override
    public void scan(String namespace, KvScan scan, Consumer<KvRecord> sink) {
        store.scan(namespace, scan, sink);
    }

    @Override
    public OptionalLong size(String namespace) {
        return store.size(namespace);
    }
}
