package io.memsidecar.langchain4j;

import static dev.langchain4j.internal.ValidationUtils.ensureNotEmpty;
import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.RelevanceScore;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.filter.comparison.IsEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThan;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsIn;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThan;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.logical.And;
import io.memsidecar.client.MemSidecar;
import io.memsidecar.client.Semantic;
import io.memsidecar.client.TypedMetadata;
import io.memsidecar.proto.semantic.v1.ExpireAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An {@link EmbeddingStore} of {@link TextSegment}s on a semantic namespace. LangChain4j supplies
 * the vectors (the namespace's dimensions must match the embedding model); the text is the
 * record's content and the metadata its metadata.
 *
 * <ul>
 *   <li>Metadata values keep their LangChain4j types (String, UUID, Integer, Long, Float, Double),
 *   through the SDK's {@link TypedMetadata}.</li>
 *   <li>Filters: what the server can decide without losing a match is sent as predicates (string
 *   equality and IN, numeric equality and ranges, and their AND); every hit is then checked with
 *   the LangChain4j filter itself, so OR, NOT, not-equal, not-in and contains have LangChain4j's
 *   exact semantics. When part of a filter stays on the client, the search asks for
 *   {@code 10 × maxResults + 100} candidates before filtering.</li>
 *   <li>Scores: the server's cosine similarity, as LangChain4j's relevance {@code (cos + 1) / 2}.</li>
 *   <li>{@code removeAll(Filter)} handles string-equality filters (and their AND) on the server; other
 *   filters are refused.</li>
 * </ul>
 */
public final class MemSidecarEmbeddingStore implements EmbeddingStore<TextSegment> {
    private static final int BATCH = 100;
    private static final String NO_SEGMENT = "lc4j-no-segment";

    private final MemSidecar client;
    private final String namespace;

    /** {@code namespace}: a semantic namespace whose dimensions are the embedding model's. */
    public MemSidecarEmbeddingStore(MemSidecar client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    @Override
    public String add(Embedding embedding) {
        String id = UUID.randomUUID().toString();
        add(id, embedding);
        return id;
    }

    @Override
    public void add(String id, Embedding embedding) {
        addAll(List.of(id), List.of(embedding), null);
    }

    @Override
    public String add(Embedding embedding, TextSegment segment) {
        String id = UUID.randomUUID().toString();
        addAll(List.of(id), List.of(embedding), List.of(segment));
        return id;
    }

    @Override
    public List<String> addAll(List<Embedding> embeddings) {
        List<String> ids = generateIds(embeddings.size());
        addAll(ids, embeddings, null);
        return ids;
    }

    @Override
    public void addAll(List<String> ids, List<Embedding> embeddings, List<TextSegment> segments) {
        if (ids.size() != embeddings.size() || (segments != null && segments.size() != ids.size())) {
            throw new IllegalArgumentException("ids, embeddings and segments must have the same size");
        }
        var records = new ArrayList<Semantic.Record>();
        for (int i = 0; i < ids.size(); i++) {
            TextSegment segment = segments == null ? null : segments.get(i);
            records.add(record(ids.get(i), embeddings.get(i), segment));
            if (records.size() == BATCH) {
                client.semantic().upsert(namespace, records);
                records.clear();
            }
        }
        if (!records.isEmpty()) {
            client.semantic().upsert(namespace, records);
        }
    }

    @Override
    public void removeAll(Collection<String> ids) {
        ensureNotEmpty(ids, "ids");
        ids.forEach(id -> client.semantic().delete(namespace, id, true));
    }

    @Override
    public void removeAll(Filter filter) {
        ensureNotNull(filter, "filter");
        var equalities = new HashMap<String, String>();
        if (!stringEqualities(filter, equalities)) {
            throw new UnsupportedOperationException("removeAll by filter handles string equality (and AND of them) only, not "
                    + filter);
        }
        expireAll(equalities);
    }

    @Override
    public void removeAll() {
        expireAll(Map.of());
    }

    private void expireAll(Map<String, String> filter) {
        while (client.semantic().expire(namespace, filter, ExpireAction.EXPIRE_ACTION_HARD_DELETE, 10_000) > 0) {
            // until nothing matches
        }
    }

    @Override
    public EmbeddingSearchResult<TextSegment> search(EmbeddingSearchRequest request) {
        var predicates = new ArrayList<Semantic.Predicate>();
        boolean exact = request.filter() == null || pushDown(request.filter(), predicates);
        int candidates = exact ? request.maxResults() : request.maxResults() * 10 + 100;
        var hits = client.semantic().search(namespace, Semantic.Query.vector(request.queryEmbedding().vector())
                .withTopK(candidates).withPredicates(predicates).withPayloadAndVector(true, true));
        var matches = new ArrayList<EmbeddingMatch<TextSegment>>();
        for (Semantic.Hit hit : hits) {
            double score = RelevanceScore.fromCosineSimilarity(hit.score());
            if (score < request.minScore()) {
                continue;
            }
            Metadata metadata = metadata(hit.record());
            if (request.filter() != null && !request.filter().test(metadata)) {
                continue;
            }
            TextSegment segment = isSegment(hit.record()) ? TextSegment.from(hit.record().content(), metadata) : null;
            matches.add(new EmbeddingMatch<>(score, hit.record().id(), Embedding.from(hit.record().vector()), segment));
            if (matches.size() == request.maxResults()) {
                break;
            }
        }
        return new EmbeddingSearchResult<>(matches);
    }

    // ---- records

    private static Semantic.Record record(String id, Embedding embedding, TextSegment segment) {
        var record = Semantic.Record.of(id, segment == null ? "" : segment.text()).withVector(embedding.vector());
        return segment == null ? record.withPayload(NO_SEGMENT.getBytes(StandardCharsets.UTF_8))
                : TypedMetadata.write(record, segment.metadata().toMap());
    }

    private static boolean isSegment(Semantic.Record r) {
        return !new String(r.payload(), StandardCharsets.UTF_8).equals(NO_SEGMENT);
    }

    private static Metadata metadata(Semantic.Record r) {
        return Metadata.from(TypedMetadata.read(r));
    }

    private static String text(Object value) {
        return TypedMetadata.text(value);
    }

    // ---- filters

    /**
     * Adds to {@code out} predicates the server can apply without dropping any match of
     * {@code filter}; whether they decide it entirely.
     */
    private static boolean pushDown(Filter filter, List<Semantic.Predicate> out) {
        switch (filter) {
            case And and -> {
                boolean left = pushDown(and.left(), out);
                boolean right = pushDown(and.right(), out);
                return left && right;
            }
            case IsEqualTo eq when isString(eq.comparisonValue()) -> {
                out.add(Semantic.Predicate.eq(eq.key(), eq.comparisonValue().toString()));
                return true;
            }
            case IsEqualTo eq when eq.comparisonValue() instanceof Number n -> {
                out.add(Semantic.Predicate.gte(eq.key(), text(n)));
                out.add(Semantic.Predicate.lte(eq.key(), text(n)));
                return false; // a stored string that reads as this number would pass the server
            }
            case IsIn in when in.comparisonValues().stream().allMatch(MemSidecarEmbeddingStore::isString) -> {
                out.add(Semantic.Predicate.in(in.key(), in.comparisonValues().stream().map(Object::toString).toList()));
                return true;
            }
            case IsGreaterThan c when c.comparisonValue() instanceof Number n -> {
                out.add(Semantic.Predicate.gt(c.key(), text(n)));
                return false;
            }
            case IsGreaterThanOrEqualTo c when c.comparisonValue() instanceof Number n -> {
                out.add(Semantic.Predicate.gte(c.key(), text(n)));
                return false;
            }
            case IsLessThan c when c.comparisonValue() instanceof Number n -> {
                out.add(Semantic.Predicate.lt(c.key(), text(n)));
                return false;
            }
            case IsLessThanOrEqualTo c when c.comparisonValue() instanceof Number n -> {
                out.add(Semantic.Predicate.lte(c.key(), text(n)));
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    private static boolean isString(Object value) {
        return value instanceof String || value instanceof UUID;
    }

    private static boolean stringEqualities(Filter filter, Map<String, String> out) {
        return switch (filter) {
            case And and -> stringEqualities(and.left(), out) && stringEqualities(and.right(), out);
            case IsEqualTo eq when isString(eq.comparisonValue()) -> {
                out.put(eq.key(), eq.comparisonValue().toString());
                yield true;
            }
            default -> false;
        };
    }

    /** The namespace this store writes to. */
    public String namespace() {
        return namespace;
    }

    @Override
    public String toString() {
        return "MemSidecarEmbeddingStore[" + namespace + "]";
    }
}
