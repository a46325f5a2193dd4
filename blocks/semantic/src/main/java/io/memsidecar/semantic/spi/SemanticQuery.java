package io.memsidecar.semantic.spi;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One search lane, as the service hands it to a driver. A dense query carries a vector of the
 * namespace's dimensions; a sparse query carries text. Everything else narrows the candidates
 * before ranking: exact metadata {@code filter} (every pair present), {@code predicates}
 * (ANDed), exclusive creation-time bounds, and the lifecycle filter at {@code asOf} (empty = now
 * by the backend's clock) unless {@code includeInvalidated}. {@code limit} hits at most.
 */
public record SemanticQuery(Optional<float[]> vector, Optional<String> text, int limit, Map<String, String> filter,
                            List<Predicate> predicates, Optional<Instant> createdAfter,
                            Optional<Instant> createdBefore, Optional<Instant> asOf, boolean includeInvalidated,
                            boolean includePayload, boolean includeVector, boolean idsOnly) {
    public SemanticQuery {
        filter = Map.copyOf(filter);
        predicates = List.copyOf(predicates);
        if (vector.isPresent() == text.isPresent()) {
            throw new IllegalArgumentException("exactly one of vector and text");
        }
    }

    public static SemanticQuery dense(float[] vector, int limit) {
        return new SemanticQuery(Optional.of(vector), Optional.empty(), limit, Map.of(), List.of(), Optional.empty(),
                Optional.empty(), Optional.empty(), false, false, false, false);
    }

    public static SemanticQuery sparse(String text, int limit) {
        return new SemanticQuery(Optional.empty(), Optional.of(text), limit, Map.of(), List.of(), Optional.empty(),
                Optional.empty(), Optional.empty(), false, false, false, false);
    }

    public SemanticQuery withFilter(Map<String, String> f) {
        return new SemanticQuery(vector, text, limit, f, predicates, createdAfter, createdBefore, asOf,
                includeInvalidated, includePayload, includeVector, idsOnly);
    }

    public SemanticQuery withPredicates(List<Predicate> p) {
        return new SemanticQuery(vector, text, limit, filter, p, createdAfter, createdBefore, asOf, includeInvalidated,
                includePayload, includeVector, idsOnly);
    }

    public SemanticQuery withCreated(Optional<Instant> after, Optional<Instant> before) {
        return new SemanticQuery(vector, text, limit, filter, predicates, after, before, asOf, includeInvalidated,
                includePayload, includeVector, idsOnly);
    }

    public SemanticQuery withLifecycle(Optional<Instant> at, boolean invalidated) {
        return new SemanticQuery(vector, text, limit, filter, predicates, createdAfter, createdBefore, at, invalidated,
                includePayload, includeVector, idsOnly);
    }

    public SemanticQuery withIncludes(boolean payload, boolean vec, boolean ids) {
        return new SemanticQuery(vector, text, limit, filter, predicates, createdAfter, createdBefore, asOf,
                includeInvalidated, payload, vec, ids);
    }

    /** The dense lane with the same narrowing. */
    public SemanticQuery withVector(float[] queryVector) {
        return new SemanticQuery(Optional.of(queryVector), Optional.empty(), limit, filter, predicates, createdAfter,
                createdBefore, asOf, includeInvalidated, includePayload, includeVector, idsOnly);
    }

    public SemanticQuery withLimit(int n) {
        return new SemanticQuery(vector, text, n, filter, predicates, createdAfter, createdBefore, asOf,
                includeInvalidated, includePayload, includeVector, idsOnly);
    }
}
