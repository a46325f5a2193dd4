package io.memsidecar.driver.sqlite;

import io.github.jbellis.jvector.disk.RandomAccessReader;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.MapRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.SearchScoreProvider;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import io.memsidecar.semantic.spi.Distance;
import io.memsidecar.semantic.spi.IndexSpec;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * The approximate-nearest-neighbour graph of one semantic scope (jvector: a DiskANN-style graph
 * built incrementally, searched with a filter on the fly). Nodes are ordinals, each standing for
 * one record id's current vector in its {@link Distance#prepare prepared} form (shared with the
 * table's row, not copied). A rewritten vector gets a new ordinal and the old one is marked
 * deleted; deleted nodes are purged when they grow to a quarter of the graph and before a save.
 * Not thread-safe on its own: writes run under the semantic table's exclusive lock, searches under
 * its shared lock.
 */
final class AnnGraph {
    private static final VectorTypeSupport VECTORS = VectorizationProvider.getInstance().getVectorTypeSupport();

    private final int dimensions;
    private final VectorSimilarityFunction similarity;
    private final Map<Integer, VectorFloat<?>> vectors = new ConcurrentHashMap<>();
    private final RandomAccessVectorValues values;
    private final IndexSpec spec;
    private GraphIndexBuilder builder;
    private final Map<String, Integer> ordOf = new HashMap<>();
    private final Map<Integer, String> idOf = new HashMap<>();
    private final List<Integer> deleted = new ArrayList<>();
    private int nextOrd;

    AnnGraph(IndexSpec spec) {
        this.dimensions = spec.dimensions();
        // cosine searches unit vectors, where the dot product ranks the same and costs less
        this.similarity = spec.distance() == Distance.L2 ? VectorSimilarityFunction.EUCLIDEAN : VectorSimilarityFunction.DOT_PRODUCT;
        this.values = new MapRandomAccessVectorValues(vectors, dimensions);
        this.spec = spec;
        this.builder = newBuilder();
    }

    /**
     * HNSW's m is the degree of its upper layers; its base layer (what a flat graph compares with)
     * has 2·m neighbours. ef_construction is the build beam.
     */
    private GraphIndexBuilder newBuilder() {
        return new GraphIndexBuilder(BuildScoreProvider.randomAccessScoreProvider(values, similarity), dimensions,
                2 * spec.hnswM(), Math.max(spec.hnswEfConstruction(), 2 * spec.hnswM()), 1.2f, 1.2f);
    }

    /**
     * Adds (or replaces) the vector of {@code id}. A replaced node is deleted (and the deleted
     * nodes purged when they are many) before the new one links in, so it never links only to
     * deleted nodes.
     */
    void put(String id, float[] prepared) {
        remove(id);
        int ord = nextOrd++;
        VectorFloat<?> vector = VECTORS.createFloatVector(prepared);
        vectors.put(ord, vector);
        ordOf.put(id, ord);
        idOf.put(ord, id);
        builder.addGraphNode(ord, vector);
    }

    /**
     * Builds the graph of a scope from scratch: ordinals assigned in one pass, then the nodes
     * inserted concurrently on the common pool (jvector's builder takes concurrent inserts).
     */
    void build(Map<String, Current> records) {
        records.forEach((id, now) -> {
            int ord = nextOrd++;
            vectors.put(ord, VECTORS.createFloatVector(now.prepared()));
            ordOf.put(id, ord);
            idOf.put(ord, id);
        });
        java.util.stream.IntStream.range(0, nextOrd).parallel().forEach(ord -> builder.addGraphNode(ord, vectors.get(ord)));
    }

    void remove(String id) {
        Integer ord = ordOf.remove(id);
        if (ord != null) {
            idOf.remove(ord);
            builder.markNodeDeleted(ord);
            deleted.add(ord);
            purgeWhenLarge();
        }
    }

    private void purgeWhenLarge() {
        if (deleted.size() * 4 > ordOf.size()) {
            purge();
        }
    }

    /** Removes the deleted nodes from the graph, reconnecting their neighbours (or starts afresh when none is live). */
    void purge() {
        if (deleted.isEmpty()) {
            return;
        }
        if (ordOf.isEmpty()) {
            builder = newBuilder();
        } else {
            builder.removeDeletedNodes();
        }
        deleted.forEach(vectors::remove);
        deleted.clear();
    }

    /** The ids of (about) the {@code k} nearest accepted records, nearest first. */
    List<String> nearest(float[] prepared, int k, Predicate<String> accept) {
        if (ordOf.isEmpty()) {
            return List.of();
        }
        var provider = SearchScoreProvider.exact(VECTORS.createFloatVector(prepared), similarity, values);
        SearchResult result;
        try (var searcher = new GraphSearcher(builder.getGraph())) {
            result = searcher.search(provider, k, ord -> {
                String id = idOf.get(ord);
                return id != null && accept.test(id);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var ids = new ArrayList<String>(result.getNodes().length);
        for (var node : result.getNodes()) {
            ids.add(idOf.get(node.node));
        }
        return ids;
    }

    /**
     * Writes the graph: the next ordinal, each node's id and the record version its vector came
     * from ({@code versionOf}), then jvector's adjacency lists. Purges deleted nodes first.
     */
    void save(DataOutputStream out, ToLongFunction<String> versionOf) throws IOException {
        purge();
        out.writeInt(nextOrd);
        out.writeInt(idOf.size());
        for (var e : idOf.entrySet()) {
            out.writeInt(e.getKey());
            byte[] id = e.getValue().getBytes(StandardCharsets.UTF_8);
            out.writeInt(id.length);
            out.write(id);
            out.writeLong(versionOf.applyAsLong(e.getValue()));
        }
        builder.getGraph().save(out);
    }

    /**
     * Reads a graph {@link #save saved} earlier, given each record's current version and prepared
     * vector. When the records only grew since the save, the new ones are added to the saved graph;
     * when a saved node's record is gone or was rewritten (writes after the last save, then a
     * crash), the graph is built afresh, because jvector reloads a graph only with the vectors it
     * was saved with. The reader is left at the end of this graph either way. True when the graph
     * now differs from the saved one.
     */
    boolean load(RandomAccessReader in, Map<String, Current> current) throws IOException {
        int savedNext = in.readInt();
        int n = in.readInt();
        var saved = new HashMap<Integer, String>();
        boolean stale = false;
        var version = new long[1];
        for (int i = 0; i < n; i++) {
            int ord = in.readInt();
            var id = new byte[in.readInt()];
            in.readFully(id);
            in.readFully(version);
            String key = new String(id, StandardCharsets.UTF_8);
            Current now = current.get(key);
            stale |= now == null || now.version() != version[0];
            saved.put(ord, key);
        }
        if (stale) {
            skipAdjacency(in);
            build(current);
            return true;
        }
        nextOrd = savedNext;
        saved.forEach((ord, id) -> {
            vectors.put(ord, VECTORS.createFloatVector(current.get(id).prepared()));
            ordOf.put(id, ord);
            idOf.put(ord, id);
        });
        builder.load(in);
        boolean grew = false;
        for (var e : current.entrySet()) {
            if (!ordOf.containsKey(e.getKey())) {
                put(e.getKey(), e.getValue().prepared());
                grew = true;
            }
        }
        return grew;
    }

    /** Reads past the adjacency lists jvector saved (OnHeapGraphIndex#save: size, entry, degree, then id, count, neighbours). */
    private static void skipAdjacency(RandomAccessReader in) throws IOException {
        int size = in.readInt();
        in.readInt();
        in.readInt();
        for (int i = 0; i < size; i++) {
            in.readInt();
            int neighbours = in.readInt();
            in.seek(in.getPosition() + 4L * neighbours);
        }
    }

    /** A record's version and prepared vector, as a reload compares them with a saved graph. */
    record Current(long version, float[] prepared) {
    }
}
