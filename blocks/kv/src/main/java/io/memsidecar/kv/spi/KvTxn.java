package io.memsidecar.kv.spi;

import io.memsidecar.core.KeyOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One multi-key transaction (KV.Txn): every compare is evaluated against the live keys, then the
 * success ops (when all hold) or the failure ops run, in order, atomically with the compares.
 * Validated by the KV block: a key appears at most once per branch, puts carry no if_version.
 */
public record KvTxn(List<Compare> compare, List<Op> success, List<Op> failure) {
    public KvTxn {
        compare = List.copyOf(compare);
        success = List.copyOf(success);
        failure = List.copyOf(failure);
    }

    /** A condition on one key; an expired key is absent (version 0). */
    public record Compare(String key, Kind kind, long version, byte[] value) {
        public enum Kind { VERSION, ABSENT, PRESENT, VALUE }

        public static Compare version(String key, long version) {
            return new Compare(key, Kind.VERSION, version, null);
        }

        public static Compare absent(String key) {
            return new Compare(key, Kind.ABSENT, 0, null);
        }

        public static Compare present(String key) {
            return new Compare(key, Kind.PRESENT, 0, null);
        }

        public static Compare value(String key, byte[] value) {
            return new Compare(key, Kind.VALUE, 0, value.clone());
        }

        /** Whether it holds for the key's live record (empty: absent). */
        public boolean holds(Optional<KvRecord> live) {
            return switch (kind) {
                case VERSION -> live.map(KvRecord::version).orElse(0L) == version;
                case ABSENT -> live.isEmpty();
                case PRESENT -> live.isPresent();
                case VALUE -> live.filter(r -> Arrays.equals(r.value(), value)).isPresent();
            };
        }
    }

    /** A put (with {@code write}: no ifVersion, the namespace's maxItems), a delete or a get. */
    public record Op(Kind kind, String key, KvWrite write) {
        public enum Kind { PUT, DELETE, GET }

        public static Op put(String key, KvWrite write) {
            return new Op(Kind.PUT, key, write);
        }

        public static Op delete(String key) {
            return new Op(Kind.DELETE, key, null);
        }

        public static Op get(String key) {
            return new Op(Kind.GET, key, null);
        }
    }

    /** What an op did: a put's new record, whether a delete removed a live key, a get's live record. */
    public record OpResult(Op.Kind kind, Optional<KvRecord> record, boolean existed) {
    }

    /** Which branch ran, each of its ops' results, and the indexes of the compares that did not hold. */
    public record Result(boolean succeeded, List<OpResult> results, List<Integer> failedCompares) {
        public Result {
            results = List.copyOf(results);
            failedCompares = List.copyOf(failedCompares);
        }
    }

    /** Every key the transaction names, in UTF-8 order: the order a driver locks them in. */
    public SortedSet<String> keys() {
        var keys = new TreeSet<String>(KeyOrder.UTF8);
        compare.forEach(c -> keys.add(c.key()));
        success.forEach(o -> keys.add(o.key()));
        failure.forEach(o -> keys.add(o.key()));
        return keys;
    }

    /** The key quota its puts carry (the namespace's max_items; 0: none, or no put). */
    public long maxItems() {
        return java.util.stream.Stream.concat(success.stream(), failure.stream()).filter(o -> o.kind() == Op.Kind.PUT)
                .mapToLong(o -> o.write().maxItems()).max().orElse(0);
    }

    /** Whether either branch writes. */
    public boolean writes() {
        return java.util.stream.Stream.concat(success.stream(), failure.stream()).anyMatch(o -> o.kind() != Op.Kind.GET);
    }

    /**
     * A driver's single-key primitives inside its one atomic section (a lock held, a database
     * transaction open): reads see the section's own writes; a put keeps KvStore.put's contract
     * (versions, TTL, quota); a failure thrown out of the section undoes every write of it.
     */
    public interface Section {
        /** The key's live record, for a compare: never an access. */
        Optional<KvRecord> live(String key);

        /** A get op: an access where the namespace's tier records reads. */
        default Optional<KvRecord> get(String key) {
            return live(key);
        }

        KvRecord put(String key, KvWrite write);

        boolean delete(String key);
    }

    /**
     * The section of a driver whose single-key calls join the atomic section it holds (a
     * reentrant lock, a nested transaction): compares read through {@code store}, ops go through
     * {@code ops} (the store, or its access-tier view).
     */
    public static Section section(String namespace, KvStore store, KvStore ops) {
        return new Section() {
            @Override
            public Optional<KvRecord> live(String key) {
                return store.get(namespace, key);
            }

            @Override
            public Optional<KvRecord> get(String key) {
                return ops.get(namespace, key);
            }

            @Override
            public KvRecord put(String key, KvWrite write) {
                return ops.put(namespace, key, write);
            }

            @Override
            public boolean delete(String key) {
                return ops.delete(namespace, key, java.util.OptionalLong.empty());
            }
        };
    }

    /** Evaluates the compares and runs the chosen branch through {@code section}. */
    public Result run(Section section) {
        var failed = new java.util.ArrayList<Integer>();
        for (int i = 0; i < compare.size(); i++) {
            if (!compare.get(i).holds(section.live(compare.get(i).key()))) {
                failed.add(i);
            }
        }
        var results = new java.util.ArrayList<OpResult>();
        for (Op op : failed.isEmpty() ? success : failure) {
            results.add(switch (op.kind()) {
                case PUT -> new OpResult(op.kind(), Optional.of(section.put(op.key(), op.write())), false);
                case DELETE -> new OpResult(op.kind(), Optional.empty(), section.delete(op.key()));
                case GET -> new OpResult(op.kind(), section.get(op.key()), false);
            });
        }
        return new Result(failed.isEmpty(), results, failed);
    }
}
