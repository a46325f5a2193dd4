package io.memsidecar.driver.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memsidecar.core.Options;
import io.memsidecar.core.spi.BackendSpec;
import io.memsidecar.episodic.EpisodicStoreConformance;
import io.memsidecar.episodic.spi.EpisodicStore;
import io.memsidecar.episodic.spi.NewEvent;
import io.memsidecar.graph.GraphStoreConformance;
import io.memsidecar.graph.spi.GraphStore;
import io.memsidecar.kv.KvAccessConformance;
import io.memsidecar.kv.KvStoreConformance;
import io.memsidecar.kv.spi.AccessTiered;
import io.memsidecar.kv.spi.KvAccess;
import io.memsidecar.kv.spi.KvStore;
import io.memsidecar.kv.spi.KvWrite;
import io.memsidecar.lease.LeaseStoreConformance;
import io.memsidecar.lease.spi.LeaseStore;
import io.memsidecar.recall.RecallConformance;
import io.memsidecar.semantic.SemanticStoreConformance;
import io.memsidecar.semantic.spi.SemanticStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kv (with its access tier), episodic, lease, graph and semantic conformance suites on a SQLite
 * file (semantic twice: exact and through the ANN graph), and what a file adds: surviving a reopen.
 */
class SqliteStoresTest {
    private final MutableClock clock = new MutableClock();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    @TempDir
    Path dir;
    /** What the backend opens with; a nested suite's constructor may change it (it runs before {@link #start}). */
    private Map<String, String> options = Map.of();
    private SqliteBackend backend;

    @BeforeEach
    void start() {
        backend = open();
    }

    private SqliteBackend open() {
        return open(options);
    }

    private SqliteBackend open(Map<String, String> options) {
        var all = new java.util.HashMap<>(options);
        all.put("path", dir.resolve("data/memsidecar.db").toString());
        all.put("sweeper_interval", "0");
        return new SqliteBackend(new BackendSpec("edge", new Options("backends[0].options", all), clock, meters));
    }

    @AfterEach
    void close() {
        backend.close();
    }

    @Nested
    class Kv extends KvStoreConformance {
        @Override
        protected KvStore store() {
            return backend.store(KvStore.class).orElseThrow();
        }

        @Override
        protected void advance(Duration duration) {
            clock.advance(duration);
        }
    }

    @Nested
    class AccessTier extends KvAccessConformance {
        @Override
        protected KvStore store() {
            return backend.store(KvStore.class).orElseThrow();
        }

        @Override
        protected KvStore tiered(KvAccess access) {
            return ((AccessTiered) store()).withAccess(access);
        }

        @Override
        protected void advance(Duration duration) {
            clock.advance(duration);
        }

        @Override
        protected MeterRegistry meters() {
            return meters;
        }
    }

    @Nested
    class Episodic extends EpisodicStoreConformance {
        @Override
        protected EpisodicStore store() {
            return backend.store(EpisodicStore.class).orElseThrow();
        }
    }

    @Nested
    class Leases extends LeaseStoreConformance {
        @Override
        protected LeaseStore store() {
            return backend.store(LeaseStore.class).orElseThrow();
        }

        @Override
        protected void advance(Duration duration) {
            clock.advance(duration);
        }
    }

    @Nested
    class Graph extends GraphStoreConformance {
        @Override
        protected GraphStore store() {
            return backend.store(GraphStore.class).orElseThrow();
        }
    }

    @Nested
    class Recall extends RecallConformance {
        @Override
        protected SemanticStore semanticStore() {
            return backend.store(SemanticStore.class).orElseThrow();
        }

        @Override
        protected GraphStore graphStore() {
            return backend.store(GraphStore.class).orElseThrow();
        }
    }

    /** Exact search (every conformance scope is far below semantic_exact_max). */
    @Nested
    class Semantic extends SemanticStoreConformance {
        @Override
        protected SemanticStore store() {
            return backend.store(SemanticStore.class).orElseThrow();
        }
    }

    /** The same contract with every vector search through the ANN graph. */
    @Nested
    class SemanticThroughTheGraph extends SemanticStoreConformance {
        SemanticThroughTheGraph() {
            options = Map.of("semantic_exact_max", "0");
        }

        @Override
        protected SemanticStore store() {
            return backend.store(SemanticStore.class).orElseThrow();
        }
    }

    @Test
    void everythingSurvivesAReopenAndASecondProcessIsRefused() {
        backend.store(KvStore.class).orElseThrow().put("ns", "k", KvWrite.of(new byte[] {7}));
        backend.store(EpisodicStore.class).orElseThrow().append("log", NewEvent.of("message", "hi"));
        long token = backend.store(LeaseStore.class).orElseThrow().tryAcquire("locks", "job", Duration.ofSeconds(1), Map.of())
                .lease().orElseThrow().fencingToken();
        assertThatThrownBy(this::open).as("one process per file").hasMessageContaining("cannot open");
        backend.close();
        backend = open();
        assertThat(backend.store(KvStore.class).orElseThrow().get("ns", "k").orElseThrow().value()).containsExactly(7);
        var events = new java.util.ArrayList<String>();
        backend.store(EpisodicStore.class).orElseThrow().range("log", io.memsidecar.episodic.spi.RangeQuery.all(), e -> events.add(e.type()));
        assertThat(events).containsExactly("message");
        assertThat(backend.store(EpisodicStore.class).orElseThrow().append("log", NewEvent.of("next", "")).cursor()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(2));
        assertThat(backend.store(LeaseStore.class).orElseThrow().tryAcquire("locks", "job", Duration.ofSeconds(1), Map.of())
                .lease().orElseThrow().fencingToken()).as("fencing tokens grow across restarts").isGreaterThan(token);
    }
}
