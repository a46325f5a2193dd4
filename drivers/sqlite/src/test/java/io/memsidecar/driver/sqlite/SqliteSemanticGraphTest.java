package io.memsidecar.driver.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.core.Options;
import io.memsidecar.core.spi.BackendSpec;
import io.memsidecar.semantic.spi.Hit;
import io.memsidecar.semantic.spi.IndexSpec;
import io.memsidecar.semantic.spi.SemanticIndex;
import io.memsidecar.semantic.spi.SemanticQuery;
import io.memsidecar.semantic.spi.SemanticStore;
import io.memsidecar.semantic.spi.SemanticWrite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLite semantic store's ANN path on clustered vectors (the shape of real embeddings):
 * recall against exact search, the graph saved beside the database and read back, and a saved
 * graph older than the records (a crash after writes) reconciled on start.
 */
class SqliteSemanticGraphTest {
    private static final int DIMS = 32;
    private static final int N = 3000;
    private final MutableClock clock = new MutableClock();
    @TempDir
    Path dir;
    private final Random random = new Random(7);
    private final float[][] centres = new float[40][DIMS];
    private SqliteBackend backend;

    SqliteSemanticGraphTest() {
        for (float[] c : centres) {
            for (int i = 0; i < DIMS; i++) {
                c[i] = (float) random.nextGaussian();
            }
        }
    }

    private SemanticIndex open(int exactMax) {
        backend = new SqliteBackend(new BackendSpec("edge", new Options("o", Map.of("path", dir.resolve("m.db").toString(),
                "sweeper_interval", "0", "semantic_exact_max", String.valueOf(exactMax))), clock));
        return backend.store(SemanticStore.class).orElseThrow().open(IndexSpec.of("vectors", DIMS));
    }

    private Path graphFile() {
        return dir.resolve("m.db.ann/vectors.graph");
    }

    @AfterEach
    void close() {
        backend.close();
    }

    private float[] point() {
        float[] c = centres[random.nextInt(centres.length)];
        var v = new float[DIMS];
        for (int i = 0; i < DIMS; i++) {
            v[i] = c[i] + 0.3f * (float) random.nextGaussian();
        }
        return v;
    }

    private void load(SemanticIndex index, int from, int to) {
        var batch = new ArrayList<SemanticWrite>();
        for (int i = from; i < to; i++) {
            batch.add(SemanticWrite.of("r" + i, "record " + i, point(), Map.of("even", String.valueOf(i % 2 == 0))));
        }
        index.upsert("s", batch);
    }

    private static List<String> ids(List<Hit> hits) {
        return hits.stream().map(h -> h.record().id()).toList();
    }

    /** Mean recall@10 of the graph (exact_max 0) against exact search (a second index on the same file). */
    private double recall(List<float[]> queries, Map<String, String> filter) {
        double found = 0;
        backend.close();
        var exact = open(Integer.MAX_VALUE);
        var truth = queries.stream().map(q -> ids(exact.search("s", SemanticQuery.dense(q, 10).withFilter(filter)))).toList();
        backend.close();
        var graph = open(0);
        for (int i = 0; i < queries.size(); i++) {
            List<String> got = ids(graph.search("s", SemanticQuery.dense(queries.get(i), 10).withFilter(filter)));
            assertThat(got).hasSize(10);
            found += got.stream().filter(truth.get(i)::contains).count();
        }
        return found / (10.0 * queries.size());
    }

    @Test
    void graphSearchFindsTheExactNeighboursAndSurvivesARestart() throws IOException {
        var index = open(0);
        load(index, 0, N);
        var queries = new ArrayList<float[]>();
        for (int i = 0; i < 50; i++) {
            queries.add(point());
        }
        assertThat(recall(queries, Map.of())).isGreaterThanOrEqualTo(0.95);
        assertThat(Files.exists(graphFile())).as("saved on close").isTrue();
        assertThat(recall(queries, Map.of("even", "true"))).as("filtered on the fly").isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void aSavedGraphOlderThanTheRecordsIsReconciled() throws IOException {
        var index = open(0);
        load(index, 0, N);
        backend.close();
        Path old = dir.resolve("old.graph");
        Files.copy(graphFile(), old);
        index = open(0);
        // after the save: new records, rewritten vectors, deletions; then the older graph comes back
        load(index, N, N + 500);
        load(index, 0, 300);
        for (int i = 300; i < 400; i++) {
            index.delete("s", "r" + i, true);
        }
        float[] probe = point();
        index.upsert("s", List.of(SemanticWrite.of("probe", "probe", probe, Map.of())));
        backend.close();
        Files.copy(old, graphFile(), StandardCopyOption.REPLACE_EXISTING);
        index = open(0);
        List<String> hits = ids(index.search("s", SemanticQuery.dense(probe, 10)));
        assertThat(hits).first().isEqualTo("probe");
        assertThat(hits).noneMatch(id -> id.matches("r3[0-9][0-9]"));
        var queries = new ArrayList<float[]>();
        for (int i = 0; i < 30; i++) {
            queries.add(point());
        }
        assertThat(recall(queries, Map.of())).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void aDamagedGraphFileIsRebuilt() throws IOException {
        var index = open(0);
        load(index, 0, 500);
        float[] probe = point();
        index.upsert("s", List.of(SemanticWrite.of("probe", "probe", probe, Map.of())));
        backend.close();
        Files.write(graphFile(), new byte[] {1, 2, 3});
        index = open(0);
        assertThat(ids(index.search("s", SemanticQuery.dense(probe, 1)))).containsExactly("probe");
    }
}
