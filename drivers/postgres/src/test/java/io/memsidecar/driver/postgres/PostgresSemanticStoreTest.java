package io.memsidecar.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memsidecar.semantic.SemanticStoreConformance;
import io.memsidecar.semantic.spi.Distance;
import io.memsidecar.semantic.spi.IndexSpec;
import io.memsidecar.semantic.spi.SemanticQuery;
import io.memsidecar.semantic.spi.SemanticStore;
import io.memsidecar.semantic.spi.SemanticWrite;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresSemanticStoreTest extends SemanticStoreConformance {
    @RegisterExtension
    static final TestBackend DB = new TestBackend();

    @Override
    protected SemanticStore store() {
        return DB.backend().store(SemanticStore.class).orElseThrow();
    }

    private static String freshName() {
        return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @Test
    void anHnswIndexThatCannotBeBuiltFailsTheOpenLoudly() {
        // pgvector's HNSW index takes at most 2000 dimensions for the vector type.
        assertThatThrownBy(() -> store().open(IndexSpec.of(freshName(), 2001)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("HNSW index")
                .hasMessageContaining("2000");
    }

    @Test
    void aChangedDimensionIsRefusedAtOpen() {
        String name = freshName();
        store().open(IndexSpec.of(name, 4));
        assertThatThrownBy(() -> store().open(IndexSpec.of(name, 5)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("created with 4 dimensions");
    }

    @Test
    void anUnknownTextSearchConfigIsRefused() {
        assertThatThrownBy(() -> store().open(new IndexSpec(freshName(), 4, Distance.COSINE, "klingon", 16, 64, 40)))
                .hasMessageContaining("text_search \"klingon\"");
    }

    @Test
    void readinessReportsAMissingHnswIndex() throws SQLException {
        String name = freshName();
        store().open(IndexSpec.of(name, 4));
        DB.backend().check();
        try (var c = DB.backend().dataSourceForTests().getConnection(); var st = c.createStatement()) {
            st.execute("DROP INDEX " + PostgresSemanticStore.tableName(name) + "_hnsw");
        }
        assertThatThrownBy(DB.backend()::check).hasMessageContaining("HNSW index");
        store().open(IndexSpec.of(name, 4)); // reopening (a restart) rebuilds it
        DB.backend().check();
    }

    @Test
    void theSearchUsesTheHnswIndex() throws SQLException {
        String name = freshName();
        var index = store().open(IndexSpec.of(name, 4));
        var random = new java.util.Random(7);
        var records = new java.util.ArrayList<SemanticWrite>();
        for (int i = 0; i < 2000; i++) {
            records.add(SemanticWrite.of("r" + i, "", new float[] {random.nextFloat(), random.nextFloat(),
                    random.nextFloat(), random.nextFloat() + 0.01f}, Map.of()));
        }
        index.upsert("s", records);
        try (var c = DB.backend().dataSourceForTests().getConnection(); var st = c.createStatement()) {
            st.execute("ANALYZE " + PostgresSemanticStore.tableName(name));
            // the driver's shape: ORDER BY the distance output column
            var rs = st.executeQuery("EXPLAIN SELECT id, vector <=> '[1,0,0,0]' AS distance FROM "
                    + PostgresSemanticStore.tableName(name) + " WHERE scope = 's' AND deleted_at IS NULL"
                    + " ORDER BY distance LIMIT 10");
            var plan = new StringBuilder();
            while (rs.next()) {
                plan.append(rs.getString(1)).append('\n');
            }
            assertThat(plan.toString()).contains("_hnsw");
        }
        assertThat(index.search("s", SemanticQuery.dense(new float[] {1, 0, 0, 0}, 5))).hasSize(5);
    }

    @Test
    void otherDistancesRankAndScore() {
        var ip = store().open(new IndexSpec(freshName(), 2, Distance.INNER_PRODUCT, "simple", 16, 64, 40));
        ip.upsert("s", List.of(SemanticWrite.of("big", "", new float[] {3, 0}, Map.of()),
                SemanticWrite.of("small", "", new float[] {1, 0}, Map.of())));
        var hits = ip.search("s", SemanticQuery.dense(new float[] {2, 0}, 5));
        assertThat(hits.stream().map(h -> h.record().id())).containsExactly("big", "small");
        assertThat(hits.getFirst().score()).isEqualTo(6f);
        var l2 = store().open(new IndexSpec(freshName(), 2, Distance.L2, "simple", 16, 64, 40));
        l2.upsert("s", List.of(SemanticWrite.of("near", "", new float[] {1, 1}, Map.of()),
                SemanticWrite.of("far", "", new float[] {4, 5}, Map.of())));
        hits = l2.search("s", SemanticQuery.dense(new float[] {1, 0}, 5));
        assertThat(hits.stream().map(h -> h.record().id())).containsExactly("near", "far");
        assertThat(hits.getFirst().score()).isEqualTo(-1f);
        assertThat(Distance.L2.score(new float[] {4, 5}, new float[] {1, 0})).isEqualTo(hits.get(1).score());
    }

    @Test
    void tableNamesStayDistinctAndValid() {
        assertThat(PostgresSemanticStore.tableName("notes")).isEqualTo("semantic_notes");
        assertThat(PostgresSemanticStore.tableName("a-b")).isNotEqualTo(PostgresSemanticStore.tableName("a_b"));
        assertThat(PostgresSemanticStore.tableName("Notes")).isNotEqualTo("semantic_notes").matches("[a-z0-9_]+");
        assertThat(PostgresSemanticStore.tableName("x".repeat(63)).length()).isLessThanOrEqualTo(63);
    }
}
