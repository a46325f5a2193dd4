package io.memsidecar.driver.memory;

import io.memsidecar.core.ApiException;
import io.memsidecar.semantic.spi.Distance;
import io.memsidecar.semantic.spi.ExpireAction;
import io.memsidecar.semantic.spi.Hit;
import io.memsidecar.semantic.spi.IndexSpec;
import io.memsidecar.semantic.spi.Predicate;
import io.memsidecar.semantic.spi.SemanticIndex;
import io.memsidecar.semantic.spi.SemanticQuery;
import io.memsidecar.semantic.spi.SemanticRecord;
import io.memsidecar.semantic.spi.SemanticStore;
import io.memsidecar.semantic.spi.SemanticWrite;
import io.memsidecar.semantic.spi.Terms;
import io.memsidecar.semantic.spi.Written;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Semantic records in memory with exact search: every candidate that passes the filters is
 * scored (correct before fast). One lock per namespace: searches share it, a write batch holds it
 * exclusively, so a batch is atomic and a failed compare-and-set leaves nothing behind.
 */
final class MemorySemanticStore implements SemanticStore {
    private final Clock clock;
    private final Map<String, Index> indexes = new ConcurrentHashMap<>();

    MemorySemanticStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public SemanticIndex open(IndexSpec spec) {
        Index index = indexes.computeIfAbsent(spec.namespace(), n -> new Index(spec));
        if (index.spec.dimensions() != spec.dimensions() || index.spec.distance() != spec.distance()) {
            throw new IllegalArgumentException("semantic namespace " + spec.namespace() + " is already open with "
                    + index.spec.dimensions() + " dimensions (" + index.spec.distance().configName() + ")");
        }
        return index;
    }

    /** The clock to the microsecond, as PostgreSQL keeps it, so both drivers return the same timestamps. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * A stored row: the full record, its insertion order, and what search compares, computed once
     * at write: the vector as the distance prepares it and the lexical terms of the content.
     */
    private record Row(SemanticRecord record, long seq, float[] prepared, Set<String> terms) {
        Row(SemanticRecord record, long seq, Distance distance) {
            this(record, seq, distance.prepare(record.vector()), Terms.of(record.content()));
        }

        /** The same row with a changed lifecycle (vector and content are unchanged). */
        Row with(SemanticRecord changed) {
            return new Row(changed, seq, prepared, terms);
        }
    }

    private final class Index implements SemanticIndex {
        private final IndexSpec spec;
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private final Map<String, Map<String, Row>> scopes = new HashMap<>();
        private long seq;

        Index(IndexSpec spec) {
            this.spec = spec;
        }

        @Override
        public IndexSpec spec() {
            return spec;
        }

        @Override
        public List<Written> upsert(String scope, List<SemanticWrite> records) {
            lock.writeLock().lock();
            try {
                Map<String, Row> rows = scopes.computeIfAbsent(scope, s -> new LinkedHashMap<>());
                Map<String, Row> staged = new HashMap<>();
                var out = new ArrayList<Written>(records.size());
                Instant now = now();
                for (SemanticWrite w : records) {
                    Row old = staged.containsKey(w.id()) ? staged.get(w.id()) : rows.get(w.id());
                    long stored = old == null ? 0 : old.record().version();
                    if (w.ifVersion().isPresent() && w.ifVersion().getAsLong() != stored) {
                        throw ApiException.failedPrecondition("version mismatch");
                    }
                    Instant validFrom = w.validFrom().orElse(now);
                    var record = new SemanticRecord(w.id(), w.content(), w.payload().clone(), w.vector().clone(),
                            w.metadata(), old == null ? now : old.record().createdAt(), validFrom, w.validTo(),
                            w.deletedAt(), w.supersedes(), w.source(), stored + 1);
                    staged.put(w.id(), new Row(record, old == null ? ++seq : old.seq(), spec.distance()));
                    for (String id : w.supersedes()) {
                        if (id.equals(w.id())) {
                            continue;
                        }
                        Row target = staged.containsKey(id) ? staged.get(id) : rows.get(id);
                        if (target != null && target.record().deletedAt().isEmpty()
                                && target.record().validTo().map(to -> to.isAfter(validFrom)).orElse(true)) {
                            staged.put(id, target.with(target.record().withValidTo(validFrom)));
                        }
                    }
                    out.add(new Written(w.id(), stored + 1));
                }
                rows.putAll(staged);
                return out;
            } finally {
                lock.writeLock().unlock();
            }
        }

        @Override
        public List<Hit> search(String scope, SemanticQuery q) {
            Instant at = q.asOf().orElseGet(MemorySemanticStore.this::now);
            Set<String> terms = q.text().map(Terms::of).orElse(Set.of());
            float[] query = q.vector().map(spec.distance()::prepare).orElse(null);
            var best = new PriorityQueue<Hit>(Comparator.comparingDouble(Hit::score));
            lock.readLock().lock();
            try {
                for (Row row : scopes.getOrDefault(scope, Map.of()).values()) {
                    SemanticRecord r = row.record();
                    if (!matches(r, q, at)) {
                        continue;
                    }
                    float score;
                    if (q.vector().isPresent()) {
                        score = spec.distance().scorePrepared(row.prepared(), query);
                    } else {
                        score = Terms.overlap(terms, row.terms());
                        if (score == 0) {
                            continue;
                        }
                    }
                    if (best.size() < q.limit()) {
                        best.add(new Hit(r, score));
                    } else if (!best.isEmpty() && score > best.peek().score()) {
                        best.poll();
                        best.add(new Hit(r, score));
                    }
                }
            } finally {
                lock.readLock().unlock();
            }
            var hits = new ArrayList<Hit>(best);
            hits.sort(Comparator.comparingDouble(Hit::score).reversed());
            return hits.stream().map(h -> new Hit(view(h.record(), q.includePayload(), q.includeVector()), h.score()))
                    .toList();
        }

        private static boolean matches(SemanticRecord r, SemanticQuery q, Instant at) {
            if (!q.includeInvalidated() && !r.liveAt(at)) {
                return false;
            }
            if (q.createdAfter().isPresent() && !r.createdAt().isAfter(q.createdAfter().get())) {
                return false;
            }
            if (q.createdBefore().isPresent() && !r.createdAt().isBefore(q.createdBefore().get())) {
                return false;
            }
            for (var e : q.filter().entrySet()) {
                if (!e.getValue().equals(r.metadata().get(e.getKey()))) {
                    return false;
                }
            }
            for (Predicate p : q.predicates()) {
                if (!p.matches(r.metadata())) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public Optional<SemanticRecord> get(String scope, String id, Optional<Instant> asOf, boolean includeInvalidated,
                                            boolean includePayload, boolean includeVector) {
            Instant at = asOf.orElseGet(MemorySemanticStore.this::now);
            lock.readLock().lock();
            try {
                return Optional.ofNullable(scopes.getOrDefault(scope, Map.of()).get(id)).map(Row::record)
                        .filter(r -> includeInvalidated || r.liveAt(at))
                        .map(r -> view(r, includePayload, includeVector));
            } finally {
                lock.readLock().unlock();
            }
        }

        @Override
        public boolean delete(String scope, String id, boolean hard) {
            lock.writeLock().lock();
            try {
                Map<String, Row> rows = scopes.getOrDefault(scope, Map.of());
                Row row = rows.get(id);
                if (row == null) {
                    return false;
                }
                if (hard) {
                    rows.remove(id);
                    return true;
                }
                if (row.record().deletedAt().isPresent()) {
                    return false;
                }
                rows.put(id, row.with(row.record().withDeletedAt(now())));
                return true;
            } finally {
                lock.writeLock().unlock();
            }
        }

        @Override
        public long expire(String scope, Map<String, String> filter, ExpireAction action, int maxRows) {
            lock.writeLock().lock();
            try {
                Instant now = now();
                Map<String, Row> rows = scopes.getOrDefault(scope, Map.of());
                List<Row> matching = rows.values().stream()
                        .filter(row -> filter.entrySet().stream()
                                .allMatch(e -> e.getValue().equals(row.record().metadata().get(e.getKey()))))
                        .filter(row -> switch (action) {
                            case INVALIDATE -> row.record().liveAt(now);
                            case SOFT_DELETE -> row.record().deletedAt().isEmpty();
                            case HARD_DELETE -> true;
                        })
                        .sorted(Comparator.comparingLong(Row::seq))
                        .limit(maxRows)
                        .toList();
                for (Row row : matching) {
                    SemanticRecord r = row.record();
                    switch (action) {
                        case HARD_DELETE -> rows.remove(r.id());
                        case SOFT_DELETE -> rows.put(r.id(), row.with(r.withDeletedAt(now)));
                        case INVALIDATE -> rows.put(r.id(), row.with(r.withValidTo(now)));
                    }
                }
                return matching.size();
            } finally {
                lock.writeLock().unlock();
            }
        }

        private static SemanticRecord view(SemanticRecord r, boolean payload, boolean vector) {
            return new SemanticRecord(r.id(), r.content(), payload ? r.payload().clone() : new byte[0],
                    vector ? r.vector().clone() : new float[0], r.metadata(), r.createdAt(), r.validFrom(), r.validTo(),
                    r.deletedAt(), r.supersedes(), r.source(), r.version());
        }
    }
}
