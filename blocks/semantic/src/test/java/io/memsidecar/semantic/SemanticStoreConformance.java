package io.memsidecar.semantic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memsidecar.core.ApiException;
import io.memsidecar.core.Code;
import io.memsidecar.semantic.spi.ExpireAction;
import io.memsidecar.semantic.spi.Hit;
import io.memsidecar.semantic.spi.IndexSpec;
import io.memsidecar.semantic.spi.Predicate;
import io.memsidecar.semantic.spi.SemanticIndex;
import io.memsidecar.semantic.spi.SemanticQuery;
import io.memsidecar.semantic.spi.SemanticRecord;
import io.memsidecar.semantic.spi.SemanticStore;
import io.memsidecar.semantic.spi.SemanticWrite;
import io.memsidecar.semantic.spi.Written;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behavioural contract of a semantic driver (spec §6.3, §14: 8-dim axis vectors), run by
 * every driver. Each test works in a fresh scope of one shared 8-dim cosine index.
 */
public abstract class SemanticStoreConformance {
    protected static final int DIMS = 8;
    private static final Instant HOUR_AGO = Instant.now().minus(Duration.ofHours(1));
    private static final Instant IN_AN_HOUR = Instant.now().plus(Duration.ofHours(1));

    protected String scope;
    private SemanticIndex index;

    /** The store under test. */
    protected abstract SemanticStore store();

    /** The configured namespace the suite opens (drivers may open it several times). */
    protected IndexSpec spec() {
        return IndexSpec.of("conformance", DIMS);
    }

    @BeforeEach
    void freshScope() {
        scope = "conf-" + UUID.randomUUID();
        index = store().open(spec());
    }

    protected static float[] axis(int i) {
        var v = new float[DIMS];
        v[i] = 1;
        return v;
    }

    protected static float[] mix(int main, int other, float weight) {
        var v = axis(main);
        v[other] = weight;
        return v;
    }

    private List<Written> put(SemanticWrite... writes) {
        return index.upsert(scope, List.of(writes));
    }

    private static SemanticWrite rec(String id, float[] v, Map<String, String> metadata) {
        return SemanticWrite.of(id, "content of " + id, v, metadata);
    }

    private List<String> ids(List<Hit> hits) {
        return hits.stream().map(h -> h.record().id()).toList();
    }

    private List<Hit> dense(float[] q, int k) {
        return index.search(scope, SemanticQuery.dense(q, k));
    }

    private Optional<SemanticRecord> get(String id) {
        return index.get(scope, id, Optional.empty(), false, true, true);
    }

    private Optional<SemanticRecord> getAny(String id) {
        return index.get(scope, id, Optional.empty(), true, true, true);
    }

    @Test
    void upsertAssignsVersionOneAndTimestamps() {
        Instant before = Instant.now().minusSeconds(5);
        var w = put(rec("a", axis(0), Map.of("k", "v")));
        assertThat(w).containsExactly(new Written("a", 1));
        SemanticRecord r = get("a").orElseThrow();
        assertThat(r.content()).isEqualTo("content of a");
        assertThat(r.metadata()).containsEntry("k", "v");
        assertThat(r.version()).isEqualTo(1);
        assertThat(r.createdAt()).isAfter(before);
        assertThat(r.validFrom()).isAfter(before);
        assertThat(r.validTo()).isEmpty();
        assertThat(r.deletedAt()).isEmpty();
        assertThat(r.vector()).containsExactly(axis(0));
    }

    @Test
    void searchTopKOrdering() {
        put(rec("exact", axis(0), Map.of()), rec("near", mix(0, 1, 0.5f), Map.of()),
                rec("far", mix(1, 0, 0.2f), Map.of()), rec("orthogonal", axis(2), Map.of()));
        List<Hit> hits = dense(axis(0), 3);
        assertThat(ids(hits)).containsExactly("exact", "near", "far");
        assertThat(hits.get(0).score()).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(hits.get(1).score()).isCloseTo((float) (1 / Math.sqrt(1.25)), org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score());
        assertThat(hits.get(1).score()).isGreaterThan(hits.get(2).score());
        assertThat(dense(axis(0), 10)).hasSize(4);
        assertThat(dense(axis(7), 10).getFirst().score()).isCloseTo(0f, org.assertj.core.data.Offset.offset(1e-5f));
    }

    @Test
    void negativeSimilarityIsReported() {
        var neg = axis(0);
        neg[0] = -1;
        put(rec("opposite", neg, Map.of()));
        assertThat(dense(axis(0), 1).getFirst().score()).isCloseTo(-1f, org.assertj.core.data.Offset.offset(1e-5f));
    }

    @Test
    void searchFilterMetadata() {
        put(rec("a", axis(0), Map.of("team", "red", "lang", "en")), rec("b", mix(0, 1, 0.1f), Map.of("team", "blue")),
                rec("c", mix(0, 2, 0.2f), Map.of("team", "red", "lang", "fr")));
        var q = SemanticQuery.dense(axis(0), 10);
        assertThat(ids(index.search(scope, q.withFilter(Map.of("team", "red"))))).containsExactly("a", "c");
        assertThat(ids(index.search(scope, q.withFilter(Map.of("team", "red", "lang", "fr"))))).containsExactly("c");
        assertThat(index.search(scope, q.withFilter(Map.of("team", "green")))).isEmpty();
    }

    @Test
    void predicates() {
        put(rec("p1", axis(0), Map.of("n", "5", "tag", "x")), rec("p2", mix(0, 1, 0.1f), Map.of("n", "10", "tag", "y")),
                rec("p3", mix(0, 2, 0.2f), Map.of("n", "abc", "tag", "z")), rec("p4", mix(0, 3, 0.3f), Map.of()),
                rec("p5", mix(0, 4, 0.4f), Map.of("n", "-2.5")));
        var q = SemanticQuery.dense(axis(0), 10);
        assertThat(ids(index.search(scope, q.withPredicates(List.of(new Predicate("n", Predicate.Op.GT, List.of("4")))))))
                .containsExactly("p1", "p2");
        assertThat(ids(index.search(scope, q.withPredicates(List.of(new Predicate("n", Predicate.Op.LTE, List.of("5")))))))
                .containsExactly("p1", "p5");
        assertThat(ids(index.search(scope, q.withPredicates(List.of(new Predicate("n", Predicate.Op.LT, List.of("-1")))))))
                .containsExactly("p5");
        assertThat(ids(index.search(scope, q.withPredicates(List.of(new Predicate("n", Predicate.Op.GTE, List.of("10.0")))))))
                .containsExactly("p2");
        assertThat(ids(index.search(scope, q.withPredicates(List.of(new Predicate("tag", Predicate.Op.NEQ, List.of("x")))))))
                .containsExactly("p2", "p3");
        assertThat(ids(index.search(scope, q.withPredicates(List.of(new Predicate("tag", Predicate.Op.EQ, List.of("z")))))))
                .containsExactly("p3");
        assertThat(ids(index.search(scope, q.withPredicates(List.of(new Predicate("tag", Predicate.Op.IN, List.of("x", "z")))))))
                .containsExactly("p1", "p3");
        assertThat(ids(index.search(scope, q.withFilter(Map.of("tag", "x"))
                .withPredicates(List.of(new Predicate("n", Predicate.Op.GT, List.of("6"))))))).isEmpty();
    }

    @Test
    void predicateMatchingAgreesWithTheReferenceSemantics() {
        var metadata = List.of(Map.of("n", "5"), Map.of("n", "05.50"), Map.of("n", "1e3"), Map.of("n", ""),
                Map.of("m", "5"), Map.of("n", "x'y"));
        for (int i = 0; i < metadata.size(); i++) {
            put(rec("m" + i, mix(0, 1, i / 10f), metadata.get(i)));
        }
        var q = SemanticQuery.dense(axis(0), 100);
        for (Predicate p : List.of(new Predicate("n", Predicate.Op.GT, List.of("5")),
                new Predicate("n", Predicate.Op.GTE, List.of("5.5")), new Predicate("n", Predicate.Op.NEQ, List.of("5")),
                new Predicate("n", Predicate.Op.IN, List.of("x'y", "")), new Predicate("n", Predicate.Op.EQ, List.of("")))) {
            var expected = new ArrayList<String>();
            for (int i = 0; i < metadata.size(); i++) {
                if (p.matches(metadata.get(i))) {
                    expected.add("m" + i);
                }
            }
            assertThat(ids(index.search(scope, q.withPredicates(List.of(p))))).as(p.toString())
                    .containsExactlyElementsOf(expected);
        }
    }

    @Test
    void searchIncludeFlags() {
        put(rec("a", axis(0), Map.of("k", "v")).withPayload(new byte[] {1, 2, 3}));
        var q = SemanticQuery.dense(axis(0), 1);
        SemanticRecord plain = index.search(scope, q).getFirst().record();
        assertThat(plain.content()).isEqualTo("content of a");
        assertThat(plain.metadata()).containsEntry("k", "v");
        assertThat(plain.payload()).isEmpty();
        assertThat(plain.vector()).isEmpty();
        SemanticRecord full = index.search(scope, q.withIncludes(true, true, false)).getFirst().record();
        assertThat(full.payload()).containsExactly(1, 2, 3);
        assertThat(full.vector()).containsExactly(axis(0));
        Hit idOnly = index.search(scope, q.withIncludes(true, true, true)).getFirst();
        assertThat(idOnly.record().id()).isEqualTo("a");
        assertThat(idOnly.score()).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
    }

    @Test
    void createdBoundsAreExclusive() throws InterruptedException {
        put(rec("old", axis(0), Map.of()));
        Instant oldCreated = get("old").orElseThrow().createdAt();
        Thread.sleep(20);
        put(rec("new", mix(0, 1, 0.1f), Map.of()));
        Instant newCreated = get("new").orElseThrow().createdAt();
        var q = SemanticQuery.dense(axis(0), 10);
        assertThat(ids(index.search(scope, q.withCreated(Optional.of(oldCreated), Optional.empty())))).containsExactly("new");
        assertThat(ids(index.search(scope, q.withCreated(Optional.empty(), Optional.of(newCreated))))).containsExactly("old");
        assertThat(index.search(scope, q.withCreated(Optional.of(oldCreated), Optional.of(newCreated)))).isEmpty();
    }

    @Test
    void deleteSoftThenHard() {
        put(rec("a", axis(0), Map.of()));
        assertThat(index.delete(scope, "a", false)).isTrue();
        assertThat(index.delete(scope, "a", false)).as("already tombstoned").isFalse();
        assertThat(get("a")).isEmpty();
        assertThat(getAny("a").orElseThrow().deletedAt()).isPresent();
        assertThat(dense(axis(0), 10)).isEmpty();
        assertThat(index.delete(scope, "a", true)).isTrue();
        assertThat(getAny("a")).isEmpty();
        assertThat(index.delete(scope, "a", true)).isFalse();
        assertThat(index.delete(scope, "missing", false)).isFalse();
    }

    @Test
    void lifecycleValidityWindow() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        Instant t1 = Instant.parse("2026-02-01T00:00:00Z");
        put(rec("window", axis(0), Map.of()).withValidity(Optional.of(t0), Optional.of(t1)),
                rec("future", mix(0, 1, 0.1f), Map.of()).withValidity(Optional.of(IN_AN_HOUR), Optional.empty()),
                rec("current", mix(0, 2, 0.2f), Map.of()).withValidity(Optional.of(HOUR_AGO), Optional.empty()));
        var q = SemanticQuery.dense(axis(0), 10);
        assertThat(ids(index.search(scope, q))).containsExactly("current");
        assertThat(ids(index.search(scope, q.withLifecycle(Optional.of(t0), false)))).containsExactly("window");
        assertThat(ids(index.search(scope, q.withLifecycle(Optional.of(t1), false)))).as("valid_to is exclusive").isEmpty();
        assertThat(ids(index.search(scope, q.withLifecycle(Optional.of(IN_AN_HOUR.plusSeconds(1)), false))))
                .containsExactly("future", "current");
        assertThat(ids(index.search(scope, q.withLifecycle(Optional.empty(), true))))
                .containsExactly("window", "future", "current");
        assertThat(index.get(scope, "window", Optional.of(t0), false, false, false)).isPresent();
        assertThat(get("window")).isEmpty();
    }

    @Test
    void lifecycleSoftDeleteVisibility() {
        put(rec("a", axis(0), Map.of("k", "v")), rec("b", mix(0, 1, 0.1f), Map.of("k", "v")));
        index.delete(scope, "a", false);
        var q = SemanticQuery.dense(axis(0), 10).withFilter(Map.of("k", "v"));
        assertThat(ids(index.search(scope, q))).containsExactly("b");
        assertThat(ids(index.search(scope, q.withLifecycle(Optional.of(IN_AN_HOUR), false)))).containsExactly("b");
        List<Hit> audit = index.search(scope, q.withLifecycle(Optional.empty(), true));
        assertThat(ids(audit)).containsExactly("a", "b");
        assertThat(audit.getFirst().record().deletedAt()).isPresent();
        assertThat(ids(index.search(scope, q.withLifecycle(Optional.empty(), true).withFilter(Map.of("k", "w"))))).isEmpty();
    }

    @Test
    void lifecycleUpsertResurrects() {
        put(rec("a", axis(0), Map.of()));
        index.delete(scope, "a", false);
        assertThat(get("a")).isEmpty();
        var w = put(rec("a", axis(0), Map.of("back", "yes")));
        assertThat(w.getFirst().version()).isEqualTo(2);
        SemanticRecord r = get("a").orElseThrow();
        assertThat(r.deletedAt()).isEmpty();
        assertThat(r.metadata()).containsEntry("back", "yes");
        assertThat(ids(dense(axis(0), 10))).containsExactly("a");
    }

    @Test
    void supersedesInvalidates() {
        Instant t0 = Instant.now().minus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.MICROS);
        put(rec("old", axis(0), Map.of()).withValidity(Optional.of(HOUR_AGO), Optional.empty()),
                rec("later", mix(0, 2, 0.3f), Map.of()).withValidity(Optional.of(HOUR_AGO), Optional.of(t0.minusSeconds(60))),
                rec("gone", mix(0, 3, 0.3f), Map.of()));
        index.delete(scope, "gone", false);
        put(rec("new", mix(0, 1, 0.1f), Map.of()).withValidity(Optional.of(t0), Optional.empty())
                .withSupersedes(List.of("old", "later", "gone", "missing")));
        assertThat(getAny("old").orElseThrow().validTo()).contains(t0);
        assertThat(getAny("later").orElseThrow().validTo()).as("an earlier valid_to is kept").contains(t0.minusSeconds(60));
        assertThat(getAny("gone").orElseThrow().validTo()).as("tombstones are left alone").isEmpty();
        assertThat(getAny("new").orElseThrow().supersedes()).containsExactly("old", "later", "gone", "missing");
        assertThat(ids(dense(axis(0), 10))).containsExactly("new");
        assertThat(ids(index.search(scope, SemanticQuery.dense(axis(0), 10)
                .withLifecycle(Optional.of(t0.minusSeconds(1)), false)))).containsExactly("old");
    }

    @Test
    void supersedesOnlyTouchesItsOwnScope() {
        String other = scope + "-other";
        index.upsert(other, List.of(rec("old", axis(0), Map.of())));
        put(rec("new", axis(0), Map.of()).withSupersedes(List.of("old")));
        assertThat(index.get(other, "old", Optional.empty(), false, false, false)).isPresent();
    }

    @Test
    void expireByFilter() {
        put(rec("a", axis(0), Map.of("s", "1")), rec("b", mix(0, 1, 0.1f), Map.of("s", "1")),
                rec("c", mix(0, 2, 0.2f), Map.of("s", "2")));
        assertThat(index.expire(scope, Map.of("s", "1"), ExpireAction.INVALIDATE, 100)).isEqualTo(2);
        assertThat(ids(dense(axis(0), 10))).containsExactly("c");
        assertThat(getAny("a").orElseThrow().validTo()).isPresent();
        assertThat(index.expire(scope, Map.of("s", "1"), ExpireAction.INVALIDATE, 100)).as("already invalid").isZero();
        assertThat(index.expire(scope, Map.of(), ExpireAction.SOFT_DELETE, 100)).isEqualTo(3);
        assertThat(index.expire(scope, Map.of(), ExpireAction.SOFT_DELETE, 100)).isZero();
        assertThat(index.expire(scope, Map.of("s", "2"), ExpireAction.HARD_DELETE, 100)).isEqualTo(1);
        assertThat(getAny("c")).isEmpty();
        assertThat(getAny("a")).isPresent();
    }

    @Test
    void expireTakesTheOldestFirstUpToMaxRows() throws InterruptedException {
        for (String id : List.of("first", "second", "third")) {
            put(rec(id, axis(0), Map.of("batch", "x")));
            Thread.sleep(5);
        }
        put(rec("first", axis(0), Map.of("batch", "x"))); // an overwrite does not make it young
        assertThat(index.expire(scope, Map.of("batch", "x"), ExpireAction.HARD_DELETE, 2)).isEqualTo(2);
        assertThat(getAny("first")).isEmpty();
        assertThat(getAny("second")).isEmpty();
        assertThat(getAny("third")).isPresent();
    }

    @Test
    void versioningAndCreatedAtKeptOnOverwrite() {
        put(rec("a", axis(0), Map.of()));
        Instant created = get("a").orElseThrow().createdAt();
        assertThat(put(rec("a", axis(1), Map.of())).getFirst().version()).isEqualTo(2);
        assertThat(put(rec("a", axis(2), Map.of())).getFirst().version()).isEqualTo(3);
        SemanticRecord r = get("a").orElseThrow();
        assertThat(r.version()).isEqualTo(3);
        assertThat(r.createdAt()).isEqualTo(created);
        assertThat(r.vector()).containsExactly(axis(2));
        assertThat(put(rec("b", axis(0), Map.of()), rec("b", axis(1), Map.of())))
                .containsExactly(new Written("b", 1), new Written("b", 2));
    }

    @Test
    void compareAndSet() {
        assertThat(put(rec("a", axis(0), Map.of()).withIfVersion(0)).getFirst().version()).isEqualTo(1);
        assertThatThrownBy(() -> put(rec("a", axis(0), Map.of()).withIfVersion(0)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(Code.FAILED_PRECONDITION));
        assertThat(put(rec("a", axis(1), Map.of()).withIfVersion(1)).getFirst().version()).isEqualTo(2);
        assertThatThrownBy(() -> put(rec("a", axis(2), Map.of()).withIfVersion(1)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("version mismatch"));
        assertThatThrownBy(() -> put(rec("missing", axis(2), Map.of()).withIfVersion(3)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(Code.FAILED_PRECONDITION));
        assertThat(getAny("missing")).isEmpty();
        assertThat(get("a").orElseThrow().vector()).containsExactly(axis(1));
    }

    @Test
    void oneFailedCompareAndSetRejectsTheWholeBatch() {
        put(rec("a", axis(0), Map.of()), rec("old", axis(3), Map.of()));
        assertThatThrownBy(() -> put(rec("fresh", axis(1), Map.of()),
                rec("x", axis(4), Map.of()).withSupersedes(List.of("old")),
                rec("a", axis(2), Map.of()).withIfVersion(7)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(Code.FAILED_PRECONDITION));
        assertThat(getAny("fresh")).isEmpty();
        assertThat(getAny("x")).isEmpty();
        assertThat(get("old").orElseThrow().validTo()).isEmpty();
        assertThat(get("a").orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void concurrentUpsertsOfOneIdLoseNoVersion() throws Exception {
        int writers = 8;
        int each = 25;
        try (var pool = Executors.newFixedThreadPool(writers)) {
            var futures = new ArrayList<Future<?>>();
            for (int w = 0; w < writers; w++) {
                int seed = w;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        put(rec("hot", axis((seed + i) % DIMS), Map.of()));
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        assertThat(get("hot").orElseThrow().version()).isEqualTo(writers * each);
    }

    @Test
    void scopesAreIsolated() {
        put(rec("a", axis(0), Map.of()));
        String other = scope + "-other";
        assertThat(index.search(other, SemanticQuery.dense(axis(0), 10))).isEmpty();
        assertThat(index.get(other, "a", Optional.empty(), true, false, false)).isEmpty();
        assertThat(index.delete(other, "a", true)).isFalse();
        assertThat(index.expire(other, Map.of(), ExpireAction.HARD_DELETE, 10)).isZero();
        assertThat(get("a")).isPresent();
    }

    @Test
    void sparseLaneRanksByMatchedTerms() {
        put(SemanticWrite.of("both", "The cat sat on the mat", axis(0), Map.of()),
                SemanticWrite.of("one", "A cat, alone.", axis(1), Map.of()),
                SemanticWrite.of("none", "Dogs bark loudly", axis(2), Map.of("k", "v")),
                SemanticWrite.of("filtered", "a mat", axis(3), Map.of("k", "v")));
        assertThat(ids(index.search(scope, SemanticQuery.sparse("cat MAT", 10).withFilter(Map.of()))))
                .startsWith("both").contains("one", "filtered").doesNotContain("none");
        assertThat(ids(index.search(scope, SemanticQuery.sparse("cat mat", 10).withFilter(Map.of("k", "v")))))
                .containsExactly("filtered");
        List<Hit> hits = index.search(scope, SemanticQuery.sparse("cat mat", 10));
        assertThat(hits.get(0).score()).isGreaterThan(hits.get(hits.size() - 1).score());
        assertThat(index.search(scope, SemanticQuery.sparse("zebra", 10))).isEmpty();
    }

    @Test
    void sparseLaneAppliesTheLifecycleFilter() {
        put(SemanticWrite.of("cat", "cat", axis(0), Map.of()));
        index.delete(scope, "cat", false);
        assertThat(index.search(scope, SemanticQuery.sparse("cat", 10))).isEmpty();
        assertThat(index.search(scope, SemanticQuery.sparse("cat", 10).withLifecycle(Optional.empty(), true))).hasSize(1);
    }
}
