package io.memsidecar.driver.memory;

import io.memsidecar.semantic.spi.ExpireAction;
import io.memsidecar.semantic.spi.Hit;
import io.memsidecar.semantic.spi.IndexSpec;
import io.memsidecar.semantic.spi.SemanticIndex;
import io.memsidecar.semantic.spi.SemanticQuery;
import io.memsidecar.semantic.spi.SemanticRecord;
import io.memsidecar.semantic.spi.SemanticStore;
import io.memsidecar.semantic.spi.SemanticTable;
import io.memsidecar.semantic.spi.SemanticWrite;
import io.memsidecar.semantic.spi.Written;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Semantic records in memory with exact search (correct before fast): one {@link SemanticTable}
 * per namespace, whose lock lets searches share it while a write batch holds it exclusively.
 */
final class MemorySemanticStore implements SemanticStore {
    private final Clock clock;
    private final Map<String, Index> indexes = new ConcurrentHashMap<>();

    MemorySemanticStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public SemanticIndex open(IndexSpec spec) {
        Index index = indexes.computeIfAbsent(spec.namespace(), n -> new Index(new SemanticTable(spec, true)));
        index.table.spec().requireSameLayout(spec);
        return index;
    }

    /** The clock to the microsecond, as PostgreSQL keeps it, so both drivers return the same timestamps. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private final class Index implements SemanticIndex {
        private final SemanticTable table;

        Index(SemanticTable table) {
            this.table = table;
        }

        @Override
        public IndexSpec spec() {
            return table.spec();
        }

        @Override
        public List<Written> upsert(String scope, List<SemanticWrite> records) {
            return table.write(() -> {
                var change = table.upsert(scope, records, now());
                table.apply(change);
                return change.versions();
            });
        }

        @Override
        public List<Hit> search(String scope, SemanticQuery q) {
            return table.read(() -> table.search(scope, q, now()));
        }

        @Override
        public Optional<SemanticRecord> get(String scope, String id, Optional<Instant> asOf, boolean includeInvalidated,
                                            boolean includePayload, boolean includeVector) {
            return table.read(() -> table.get(scope, id, asOf.orElseGet(MemorySemanticStore.this::now), includeInvalidated,
                    includePayload, includeVector));
        }

        @Override
        public boolean delete(String scope, String id, boolean hard) {
            return table.write(() -> {
                var change = table.delete(scope, id, hard, now());
                table.apply(change);
                return change.count() > 0;
            });
        }

        @Override
        public long expire(String scope, Map<String, String> filter, ExpireAction action, int maxRows) {
            return table.write(() -> {
                var change = table.expire(scope, filter, action, maxRows, now());
                table.apply(change);
                return change.count();
            });
        }
    }
}
