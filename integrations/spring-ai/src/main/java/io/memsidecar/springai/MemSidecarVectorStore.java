package io.memsidecar.springai;

import io.memsidecar.client.MemSidecar;
import io.memsidecar.client.Semantic;
import io.memsidecar.client.TypedMetadata;
import io.memsidecar.proto.semantic.v1.ExpireAction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.ai.vectorstore.filter.Filter;
import org.springframework.ai.vectorstore.filter.converter.SimpleVectorStoreFilterExpressionConverter;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.StandardEvaluationContext;

/**
 * A Spring AI {@link VectorStore} on a semantic namespace.
 *
 * <ul>
 *   <li>Embedding: with an {@link EmbeddingModel}, vectors are computed here and stored as given
 *   (the model's dimensions must be the namespace's); without one, the <b>server embeds</b> text
 *   and queries with the namespace's embedder — no model in the application.</li>
 *   <li>Filters: the filter-expression language is converted to the server's predicates where
 *   that is exact (AND of ==, !=, &lt;, &lt;=, &gt;, &gt;=, IN on strings and numbers);
 *   every hit is then checked with Spring AI's own evaluation of the expression (the one
 *   {@code SimpleVectorStore} uses), so OR, NOT, NIN and IS [NOT] NULL keep Spring AI's
 *   semantics. When part of a filter stays here, the search asks the server for
 *   {@code 10 × topK + 100} candidates.</li>
 *   <li>Scores: the server's cosine similarity; {@code similarityThreshold} is compared with it.</li>
 *   <li>Metadata keeps its types (String, Integer, Long, Double, Float, Boolean) through the SDK's
 *   {@link TypedMetadata}.</li>
 * </ul>
 */
public class MemSidecarVectorStore implements VectorStore {
    private static final int BATCH = 100;

    private final MemSidecar client;
    private final String namespace;
    private final Optional<EmbeddingModel> embeddingModel;
    private final ExpressionParser spel = new SpelExpressionParser();
    private final SimpleVectorStoreFilterExpressionConverter toSpel = new SimpleVectorStoreFilterExpressionConverter();

    /** {@code embeddingModel}: empty to let the server embed with the namespace's embedder. */
    public MemSidecarVectorStore(MemSidecar client, String namespace, Optional<EmbeddingModel> embeddingModel) {
        this.client = client;
        this.namespace = namespace;
        this.embeddingModel = embeddingModel;
    }

    @Override
    public String getName() {
        return "MemSidecarVectorStore[" + namespace + "]";
    }

    @Override
    public <T> Optional<T> getNativeClient() {
        @SuppressWarnings("unchecked")
        T native_ = (T) client;
        return Optional.of(native_);
    }

    @Override
    public void add(List<Document> documents) {
        for (int from = 0; from < documents.size(); from += BATCH) {
            List<Document> batch = documents.subList(from, Math.min(documents.size(), from + BATCH));
            List<float[]> vectors = embeddingModel.map(m -> m.embed(batch.stream().map(Document::getText).toList()))
                    .orElse(null);
            var records = new ArrayList<Semantic.Record>();
            for (int i = 0; i < batch.size(); i++) {
                Document d = batch.get(i);
                var r = TypedMetadata.write(Semantic.Record.of(d.getId(), d.getText() == null ? "" : d.getText()), d.getMetadata());
                records.add(vectors == null ? r : r.withVector(vectors.get(i)));
            }
            client.semantic().upsert(namespace, records);
        }
    }

    @Override
    public void delete(List<String> ids) {
        ids.forEach(id -> client.semantic().delete(namespace, id, true));
    }

    /**
     * Deletes what matches an AND of string equalities ({@code country == 'BG' && kind == 'x'}), by
     * the server in one expiry; other expressions are refused (UnsupportedOperationException),
     * since the server cannot enumerate a namespace by anything else.
     */
    @Override
    public void delete(Filter.Expression expression) {
        var equalities = new HashMap<String, String>();
        if (equalities(expression, equalities)) {
            while (client.semantic().expire(namespace, equalities, ExpireAction.EXPIRE_ACTION_HARD_DELETE, 10_000) > 0) {
                // until nothing matches
            }
            return;
        }
        throw new UnsupportedOperationException("delete by filter handles an AND of equalities (==) only, not " + expression);
    }

    @Override
    public List<Document> similaritySearch(SearchRequest request) {
        var predicates = new ArrayList<Semantic.Predicate>();
        Filter.Expression filter = request.getFilterExpression();
        boolean exact = filter == null || pushDown(filter, predicates);
        int candidates = exact ? request.getTopK() : request.getTopK() * 10 + 100;
        Semantic.Query query = embeddingModel.map(m -> Semantic.Query.vector(m.embed(request.getQuery())))
                .orElseGet(() -> Semantic.Query.text(request.getQuery()));
        var hits = client.semantic().search(namespace, query.withTopK(candidates).withPredicates(predicates)
                .withPayloadAndVector(true, false));
        var out = new ArrayList<Document>();
        String spelFilter = filter == null ? null : toSpel.convertExpression(filter);
        for (Semantic.Hit hit : hits) {
            if (hit.score() < request.getSimilarityThreshold()) {
                continue;
            }
            Map<String, Object> metadata = metadata(hit.record());
            if (spelFilter != null && !matches(spelFilter, metadata)) {
                continue;
            }
            metadata.put("distance", 1.0 - hit.score());
            out.add(Document.builder().id(hit.record().id()).text(hit.record().content()).metadata(metadata)
                    .score((double) hit.score()).build());
            if (out.size() == request.getTopK()) {
                break;
            }
        }
        return out;
    }

    private boolean matches(String spelFilter, Map<String, Object> metadata) {
        var context = new StandardEvaluationContext();
        context.setVariable("metadata", metadata);
        return Boolean.TRUE.equals(spel.parseExpression(spelFilter).getValue(context, Boolean.class));
    }

    private static String text(Object value) {
        return TypedMetadata.text(value);
    }

    private static Map<String, Object> metadata(Semantic.Record r) {
        return TypedMetadata.read(r);
    }

    // ---- filters

    private static Object value(Filter.Operand operand) {
        return operand instanceof Filter.Value v ? v.value() : null;
    }

    private static String key(Filter.Operand operand) {
        return operand instanceof Filter.Key k ? k.key().replaceAll("^[\"']|[\"']$", "") : null;
    }

    /** Adds predicates the server can apply without losing a match; whether they decide the filter entirely. */
    private static boolean pushDown(Filter.Expression e, List<Semantic.Predicate> out) {
        if (e.type() == Filter.ExpressionType.AND) {
            boolean left = e.left() instanceof Filter.Expression l ? pushDown(l, out) : e.left() instanceof Filter.Group g && pushDown(g.content(), out);
            boolean right = e.right() instanceof Filter.Expression r ? pushDown(r, out) : e.right() instanceof Filter.Group g && pushDown(g.content(), out);
            return left && right;
        }
        String key = key(e.left());
        Object value = value(e.right());
        if (key == null || value == null) {
            return false;
        }
        boolean number = value instanceof Number;
        String text = number ? text(value) : value.toString();
        switch (e.type()) {
            case EQ -> {
                if (number) {
                    out.add(Semantic.Predicate.gte(key, text));
                    out.add(Semantic.Predicate.lte(key, text));
                    return false; // a stored string that reads as this number passes the server too
                }
                out.add(Semantic.Predicate.eq(key, text));
                return value instanceof String;
            }
            case GT, GTE, LT, LTE -> {
                if (!number) {
                    return false; // strings compare as strings in Spring AI, as numbers on the server
                }
                out.add(switch (e.type()) {
                    case GT -> Semantic.Predicate.gt(key, text);
                    case GTE -> Semantic.Predicate.gte(key, text);
                    case LT -> Semantic.Predicate.lt(key, text);
                    default -> Semantic.Predicate.lte(key, text);
                });
                return false;
            }
            case IN -> {
                if (value instanceof List<?> values && values.stream().allMatch(String.class::isInstance)) {
                    out.add(Semantic.Predicate.in(key, values.stream().map(Object::toString).toList()));
                    return true;
                }
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    private static boolean equalities(Filter.Expression e, Map<String, String> out) {
        if (e.type() == Filter.ExpressionType.AND) {
            return e.left() instanceof Filter.Expression l && equalities(l, out)
                    && e.right() instanceof Filter.Expression r && equalities(r, out);
        }
        String key = key(e.left());
        Object value = value(e.right());
        if (e.type() != Filter.ExpressionType.EQ || key == null || !(value instanceof String)) {
            return false;
        }
        out.put(key, value.toString());
        return true;
    }
}
