package io.memsidecar.semantic.spi;

import io.memsidecar.core.ApiException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Supplier;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One semantic namespace's records in memory, with the contract's semantics (versions, CAS,
 * supersedes, lifecycle, expire) and exact search: every candidate that passes the filters is
 * scored. The memory driver is this table; a durable driver keeps one as the searchable mirror of
 * its database and persists each {@link Change} before it {@link #apply applies} it.
 *
 * <p>Mutations are computed first ({@link #upsert}, {@link #delete}, {@link #expire} change
 * nothing) and applied second, all inside {@link #write}; reads run inside {@link #read}. A
 * failed compare-and-set therefore leaves nothing behind, and a batch is atomic.
 */
public final class SemanticTable {
    /**
     * A stored row: the record, its insertion order, and what search compares, computed once at
     * write: the vector as the distance prepares it and the lexical terms of the content.
     */
    public record Row(SemanticRecord record, long seq, float[] prepared, Set<String> terms) {
        Row(SemanticRecord record, long seq, Distance distance) {
            this(record, seq, distance.prepare(record.vector()), Terms.of(record.content()));
        }

        /** The same row with a changed lifecycle (vector and content are unchanged). */
        Row with(SemanticRecord changed) {
            return new Row(changed, seq, prepared, terms);
        }
    }

    /**
     * What one mutation changes in a scope: rows written whole (with payload and vector), rows
     * whose lifecycle alone changed (valid_to or deleted_at), ids removed, and the versions an
     * upsert reports.
     */
    public record Change(String scope, List<Row> written, List<Row> lifecycle, List<String> removed, List<Written> versions) {
        public long count() {
            return written.size() + lifecycle.size() + removed.size();
        }
    }

    private final IndexSpec spec;
    private final boolean keepBodies;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Map<String, Row>> scopes = new HashMap<>();
    private long seq;

    /**
     * @param keepBodies whether applied rows keep their payload and original vector; a durable
     *                   driver that reads those from its database passes false and keeps only
     *                   what search needs
     */
    public SemanticTable(IndexSpec spec, boolean keepBodies) {
        this.spec = spec;
        this.keepBodies = keepBodies;
    }

    public IndexSpec spec() {
        return spec;
    }

    /** Runs {@code work} under the shared lock. */
    public <T> T read(Supplier<T> work) {
        lock.readLock().lock();
        try {
            return work.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Runs {@code work} under the exclusive lock. */
    public <T> T write(Supplier<T> work) {
        lock.writeLock().lock();
        try {
            return work.get();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The rows of a scope (a view: read it inside {@link #read} or {@link #write}). */
    public Map<String, Row> rows(String scope) {
        return scopes.getOrDefault(scope, Map.of());
    }

    /** Adds a stored row as a durable driver reads it back at start. */
    public Row load(String scope, SemanticRecord record, long rowSeq) {
        Row row = strip(new Row(record, rowSeq, spec.distance()));
        scopes.computeIfAbsent(scope, s -> new LinkedHashMap<>()).put(record.id(), row);
        seq = Math.max(seq, rowSeq);
        return row;
    }

    /** The change of an upsert batch (SemanticIndex#upsert), or FAILED_PRECONDITION on a version mismatch. */
    public Change upsert(String scope, List<SemanticWrite> records, Instant now) {
        Map<String, Row> rows = rows(scope);
        Map<String, Row> written = new LinkedHashMap<>();
        Map<String, Row> lifecycle = new LinkedHashMap<>();
        var versions = new ArrayList<Written>(records.size());
        long next = seq;
        for (SemanticWrite w : records) {
            Row old = staged(w.id(), written, lifecycle, rows);
            long stored = old == null ? 0 : old.record().version();
            if (w.ifVersion().isPresent() && w.ifVersion().getAsLong() != stored) {
                throw ApiException.failedPrecondition("version mismatch");
            }
            Instant validFrom = w.validFrom().orElse(now);
            var record = new SemanticRecord(w.id(), w.content(), w.payload().clone(), w.vector().clone(), w.metadata(),
                    old == null ? now : old.record().createdAt(), validFrom, w.validTo(), w.deletedAt(), w.supersedes(),
                    w.source(), stored + 1);
            lifecycle.remove(w.id());
            written.put(w.id(), new Row(record, old == null ? ++next : old.seq(), spec.distance()));
            for (String id : w.supersedes()) {
                Row target = id.equals(w.id()) ? null : staged(id, written, lifecycle, rows);
                if (target != null && target.record().deletedAt().isEmpty()
                        && target.record().validTo().map(to -> to.isAfter(validFrom)).orElse(true)) {
                    Row changed = target.with(target.record().withValidTo(validFrom));
                    (written.containsKey(id) ? written : lifecycle).put(id, changed);
                }
            }
            versions.add(new Written(w.id(), stored + 1));
        }
        return new Change(scope, List.copyOf(written.values()), List.copyOf(lifecycle.values()), List.of(), versions);
    }

    private static Row staged(String id, Map<String, Row> written, Map<String, Row> lifecycle, Map<String, Row> rows) {
        Row row = written.get(id);
        if (row == null) {
            row = lifecycle.get(id);
        }
        return row != null ? row : rows.get(id);
    }

    /** The change of a delete (SemanticIndex#delete); empty when nothing changes. */
    public Change delete(String scope, String id, boolean hard, Instant now) {
        Row row = rows(scope).get(id);
        if (row == null || (!hard && row.record().deletedAt().isPresent())) {
            return new Change(scope, List.of(), List.of(), List.of(), List.of());
        }
        return hard ? new Change(scope, List.of(), List.of(), List.of(id), List.of())
                : new Change(scope, List.of(), List.of(row.with(row.record().withDeletedAt(now))), List.of(), List.of());
    }

    /** The change of an expire (SemanticIndex#expire): at most {@code maxRows} matching rows, oldest first. */
    public Change expire(String scope, Map<String, String> filter, ExpireAction action, int maxRows, Instant now) {
        List<Row> matching = rows(scope).values().stream()
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
        return switch (action) {
            case HARD_DELETE -> new Change(scope, List.of(), List.of(), matching.stream().map(r -> r.record().id()).toList(),
                    List.of());
            case SOFT_DELETE -> new Change(scope, List.of(), matching.stream().map(r -> r.with(r.record().withDeletedAt(now)))
                    .toList(), List.of(), List.of());
            case INVALIDATE -> new Change(scope, List.of(), matching.stream().map(r -> r.with(r.record().withValidTo(now)))
                    .toList(), List.of(), List.of());
        };
    }

    /** Makes a change visible (inside {@link #write}, after it has been persisted). */
    public void apply(Change change) {
        Map<String, Row> rows = scopes.computeIfAbsent(change.scope(), s -> new LinkedHashMap<>());
        for (Row row : change.written()) {
            rows.put(row.record().id(), strip(row));
            seq = Math.max(seq, row.seq());
        }
        for (Row row : change.lifecycle()) {
            rows.put(row.record().id(), row);
        }
        change.removed().forEach(rows::remove);
    }

    private Row strip(Row row) {
        return keepBodies ? row : row.with(view(row.record(), false, false));
    }

    /** Exact search over a scope (SemanticIndex#search). */
    public List<Hit> search(String scope, SemanticQuery q, Instant now) {
        return rank(rows(scope).values(), q, q.asOf().orElse(now));
    }

    /** The best {@code q.limit()} of {@code candidates} that {@link #matches match}, scored exactly, best first. */
    public List<Hit> rank(Collection<Row> candidates, SemanticQuery q, Instant at) {
        Set<String> terms = q.text().map(Terms::of).orElse(Set.of());
        float[] query = q.vector().map(spec.distance()::prepare).orElse(null);
        var best = new PriorityQueue<Hit>(Comparator.comparingDouble(Hit::score));
        for (Row row : candidates) {
            SemanticRecord r = row.record();
            if (!matches(r, q, at)) {
                continue;
            }
            float score;
            if (query != null) {
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
        var hits = new ArrayList<Hit>(best);
        hits.sort(Comparator.comparingDouble(Hit::score).reversed());
        return hits.stream().map(h -> new Hit(view(h.record(), q.includePayload(), q.includeVector()), h.score())).toList();
    }

    /** Whether a record passes a query's lifecycle (at {@code at}), creation bounds, filter and predicates. */
    public static boolean matches(SemanticRecord r, SemanticQuery q, Instant at) {
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

    /** The record as a read returns it: payload and vector (copies) only when asked for. */
    public static SemanticRecord view(SemanticRecord r, boolean payload, boolean vector) {
        return new SemanticRecord(r.id(), r.content(), payload ? r.payload().clone() : new byte[0],
                vector ? r.vector().clone() : new float[0], r.metadata(), r.createdAt(), r.validFrom(), r.validTo(),
                r.deletedAt(), r.supersedes(), r.source(), r.version());
    }

    /** The record of a row, if it is live at {@code at} or invalidated rows are asked for (SemanticIndex#get). */
    public Optional<SemanticRecord> get(String scope, String id, Instant at, boolean includeInvalidated, boolean includePayload,
                                        boolean includeVector) {
        return Optional.ofNullable(rows(scope).get(id)).map(Row::record).filter(r -> includeInvalidated || r.liveAt(at))
                .map(r -> view(r, includePayload, includeVector));
    }
}
