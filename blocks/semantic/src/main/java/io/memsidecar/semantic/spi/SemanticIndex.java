package io.memsidecar.semantic.spi;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One configured semantic namespace of a driver. {@code scope} is the storage name of the
 * request's namespace (tenant-qualified under tenant isolation): records of different scopes
 * never see each other. Every method blocks, is safe from many threads and many sidecars sharing
 * one backend, and takes its clock ("now") from the backend. Errors are
 * {@link io.memsidecar.core.ApiException}s with the codes named below.
 */
public interface SemanticIndex {
    IndexSpec spec();

    /**
     * Writes the batch atomically, in order: all or nothing. A new id gets version 1 and
     * created_at = now; an overwrite gets version + 1, keeps created_at, and replaces every other
     * field (a missing deleted_at resurrects a tombstone). An {@code ifVersion} mismatch fails
     * the whole batch with FAILED_PRECONDITION "version mismatch". Each record's
     * {@code supersedes} (other ids of the scope) that are not deleted and whose valid_to is
     * unset or later get valid_to = this record's valid_from, in the same transaction.
     */
    List<Written> upsert(String scope, List<SemanticWrite> records);

    /**
     * One lane: by the query vector (score per {@link Distance}) or by the query text (the
     * driver's lexical score; records matching no term are left out). Sorted by score, best
     * first.
     */
    List<Hit> search(String scope, SemanticQuery query);

    /** The record when it exists and (unless {@code includeInvalidated}) is live at asOf/now. */
    Optional<SemanticRecord> get(String scope, String id, Optional<Instant> asOf, boolean includeInvalidated,
                                 boolean includePayload, boolean includeVector);

    /**
     * The records among {@code ids} that pass the narrowing of {@code narrowing} (filter,
     * predicates, creation bounds, lifecycle at its asOf/now unless includeInvalidated; payload
     * and vector as it asks), in no particular order; its vector, text and limit are not used.
     * This default reads them one by one; a driver may read them at once.
     */
    default List<SemanticRecord> records(String scope, Collection<String> ids, SemanticQuery narrowing) {
        var out = new ArrayList<SemanticRecord>();
        SemanticQuery rest = narrowing.withLifecycle(narrowing.asOf(), true);
        for (String id : ids) {
            get(scope, id, narrowing.asOf(), narrowing.includeInvalidated(), narrowing.includePayload(),
                    narrowing.includeVector())
                    .filter(r -> SemanticTable.matches(r, rest, Instant.EPOCH))
                    .ifPresent(out::add);
        }
        return out;
    }

    /**
     * Runs {@code reads} — of this index and of the other stores of the same backend — on one
     * consistent snapshot where the driver can (PostgreSQL: one read-only REPEATABLE READ
     * transaction, whose now() is one instant); this default runs them as they come.
     */
    default <T> T snapshot(Supplier<T> reads) {
        return reads.get();
    }

    /**
     * Whether the reads of a {@link #snapshot} must stay on the thread that opened it (PostgreSQL:
     * one connection): a caller then reads one thing after another rather than several at once.
     */
    default boolean threadBoundSnapshot() {
        return false;
    }

    /**
     * Soft delete (deleted_at = now) of a record that is not deleted yet: true when it was; hard
     * delete: removes the row, true when there was one.
     */
    boolean delete(String scope, String id, boolean hard);

    /**
     * Applies {@code action} to at most {@code maxRows} records whose metadata contains every
     * pair of {@code filter} (empty = all), oldest first; returns how many changed.
     */
    long expire(String scope, Map<String, String> filter, ExpireAction action, int maxRows);
}
