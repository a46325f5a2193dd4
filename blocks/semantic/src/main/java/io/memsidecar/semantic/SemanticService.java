package io.memsidecar.semantic;

import com.google.protobuf.ByteString;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Call;
import io.memsidecar.core.Code;
import io.memsidecar.core.Limits;
import io.memsidecar.core.NamespaceTable;
import io.memsidecar.core.Op;
import io.memsidecar.core.ProtoTime;
import io.memsidecar.core.Require;
import io.memsidecar.core.Route;
import io.memsidecar.core.Scope;
import io.memsidecar.proto.semantic.v1.DeleteRequest;
import io.memsidecar.proto.semantic.v1.DeleteResponse;
import io.memsidecar.proto.semantic.v1.ExpireRequest;
import io.memsidecar.proto.semantic.v1.ExpireResponse;
import io.memsidecar.proto.semantic.v1.FieldPredicate;
import io.memsidecar.proto.semantic.v1.GetRequest;
import io.memsidecar.proto.semantic.v1.GetResponse;
import io.memsidecar.proto.semantic.v1.Record;
import io.memsidecar.proto.semantic.v1.SearchMode;
import io.memsidecar.proto.semantic.v1.SearchRequest;
import io.memsidecar.proto.semantic.v1.SearchResponse;
import io.memsidecar.proto.semantic.v1.UpsertRequest;
import io.memsidecar.proto.semantic.v1.UpsertResponse;
import io.memsidecar.semantic.spi.Distance;
import io.memsidecar.semantic.spi.Embedder;
import io.memsidecar.semantic.spi.ExpireAction;
import io.memsidecar.semantic.spi.Hit;
import io.memsidecar.semantic.spi.Predicate;
import io.memsidecar.semantic.spi.SemanticQuery;
import io.memsidecar.semantic.spi.SemanticRecord;
import io.memsidecar.semantic.spi.SemanticWrite;
import io.memsidecar.semantic.spi.Written;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The semantic block (spec §2.4, §6.3): validation, a second scope check and tenant mapping,
 * batch embedding through the namespace's (caching) embedder, dimension checks, and hybrid
 * fusion of the dense and sparse lanes, in front of a {@link io.memsidecar.semantic.spi.SemanticIndex}.
 */
public final class SemanticService {
    public static final String SERVICE = "memsidecar.semantic.v1.Semantic";
    public static final String BLOCK = "semantic";
    public static final Op UPSERT = Op.write(BLOCK, "upsert");
    public static final Op SEARCH = Op.read(BLOCK, "search");
    public static final Op GET = Op.read(BLOCK, "get");
    public static final Op DELETE = Op.write(BLOCK, "delete");
    public static final Op EXPIRE = Op.write(BLOCK, "expire");

    public static final int DEFAULT_TOP_K = 10;
    public static final int DEFAULT_CANDIDATE_K = 50;
    private static final int MAX_ID_BYTES = 1024;
    public static final int MAX_METADATA_ENTRIES = 64;
    public static final int MAX_CONTENT_BYTES = 1 << 20;

    private final NamespaceTable<SemanticNamespace> namespaces;
    private final Limits limits;

    public SemanticService(Map<String, SemanticNamespace> namespaces, boolean tenantIsolation, Limits limits) {
        this.limits = limits;
        this.namespaces = new NamespaceTable<>(BLOCK, namespaces, tenantIsolation);
    }

    public List<Route<?, ?>> routes() {
        return List.of(
                Route.unary(SERVICE, "Upsert", UpsertRequest.getDefaultInstance(), UpsertResponse.getDefaultInstance(),
                        UPSERT, r -> Scope.of(BLOCK, r.getNamespace()), this::upsert),
                Route.unary(SERVICE, "Search", SearchRequest.getDefaultInstance(), SearchResponse.getDefaultInstance(),
                        SEARCH, SemanticService::searchScope, this::search),
                Route.unary(SERVICE, "Get", GetRequest.getDefaultInstance(), GetResponse.getDefaultInstance(),
                        GET, r -> Scope.of(BLOCK, r.getNamespace()), this::get),
                Route.unary(SERVICE, "Delete", DeleteRequest.getDefaultInstance(), DeleteResponse.getDefaultInstance(),
                        DELETE, r -> Scope.of(BLOCK, r.getNamespace()), this::delete),
                Route.unary(SERVICE, "Expire", ExpireRequest.getDefaultInstance(), ExpireResponse.getDefaultInstance(),
                        EXPIRE, r -> Scope.of(BLOCK, r.getNamespace()), this::expire));
    }

    /** The sizes policy caps see: the effective top_k, and the per-lane candidates of a hybrid search. */
    private static Scope searchScope(SearchRequest r) {
        Scope s = Scope.of(BLOCK, r.getNamespace()).withSize("top_k", topK(r));
        return r.getMode() == SearchMode.SEARCH_MODE_HYBRID ? s.withSize("rerank_candidate_k", candidateK(r)) : s;
    }

    public UpsertResponse upsert(Call call, UpsertRequest request) {
        var t = namespaces.resolve(call, UPSERT, request.getNamespace());
        limits.checkBatch(request.getRecordsCount(), "records");
        if (request.getRecordsCount() == 0) {
            return UpsertResponse.getDefaultInstance();
        }
        SemanticNamespace ns = t.namespace();
        int dims = ns.index().spec().dimensions();
        var toEmbed = new ArrayList<Integer>();
        var vectors = new float[request.getRecordsCount()][];
        for (int i = 0; i < request.getRecordsCount(); i++) {
            Record r = request.getRecords(i);
            String at = "records[" + i + "]";
            Require.text(r.getId(), at + ".id", MAX_ID_BYTES);
            Require.text(r.getContent(), at + ".content", MAX_CONTENT_BYTES);
            Require.text(r.getSource(), at + ".source", MAX_ID_BYTES);
            limits.metadata(r.getMetadataMap(), at + ".metadata", MAX_METADATA_ENTRIES);
            r.getSupersedesList().forEach(s -> Require.identifier(s, at + ".supersedes", MAX_ID_BYTES));
            if (r.getVectorCount() > 0) {
                vectors[i] = vector(r.getVectorList(), dims, ns.index().spec().distance(), at + ".vector");
            } else if (r.getContent().isEmpty()) {
                throw ApiException.invalidArgument(at + ": content or vector required");
            } else {
                toEmbed.add(i);
            }
            if (r.hasValidFrom() && r.hasValidTo()
                    && !ProtoTime.instant(r.getValidTo()).isAfter(ProtoTime.instant(r.getValidFrom()))) {
                throw ApiException.invalidArgument(at + ": valid_to must be after valid_from");
            }
        }
        if (!toEmbed.isEmpty()) {
            List<float[]> embedded = embed(ns, toEmbed.stream().map(i -> request.getRecords(i).getContent()).toList());
            for (int j = 0; j < toEmbed.size(); j++) {
                vectors[toEmbed.get(j)] = embedded.get(j);
            }
        }
        var writes = new ArrayList<SemanticWrite>(vectors.length);
        for (int i = 0; i < vectors.length; i++) {
            Record r = request.getRecords(i);
            String id = r.getId().isEmpty() ? UUID.randomUUID().toString() : r.getId();
            writes.add(new SemanticWrite(id, r.getContent(), r.getPayload().toByteArray(), vectors[i],
                    r.getMetadataMap(), time(r.hasValidFrom(), r.getValidFrom()),
                    time(r.hasValidTo(), r.getValidTo()), time(r.hasDeletedAt(), r.getDeletedAt()),
                    r.getSupersedesList().stream().filter(s -> !s.equals(id)).distinct().toList(), r.getSource(),
                    r.hasIfVersion() ? OptionalLong.of(r.getIfVersion()) : OptionalLong.empty()));
        }
        List<Written> written = ns.index().upsert(t.storage(), writes);
        var b = UpsertResponse.newBuilder();
        written.forEach(w -> b.addIds(w.id()).addVersions(w.version()));
        return b.build();
    }

    public SearchResponse search(Call call, SearchRequest request) {
        var t = namespaces.resolve(call, SEARCH, request.getNamespace());
        SemanticNamespace ns = t.namespace();
        boolean hasText = !request.getQueryText().isEmpty();
        boolean hasVector = request.getQueryVectorCount() > 0;
        if (hasText == hasVector) {
            throw ApiException.invalidArgument("exactly one of query_text and query_vector must be set");
        }
        SearchMode mode = switch (request.getMode()) {
            case SEARCH_MODE_UNSPECIFIED, SEARCH_MODE_DENSE -> SearchMode.SEARCH_MODE_DENSE;
            case SEARCH_MODE_SPARSE, SEARCH_MODE_HYBRID -> request.getMode();
            default -> throw ApiException.invalidArgument("unknown search mode " + request.getModeValue());
        };
        if (mode != SearchMode.SEARCH_MODE_DENSE && !hasText) {
            throw ApiException.invalidArgument("mode " + mode.name() + " needs query_text");
        }
        Require.text(request.getQueryText(), "query_text", MAX_CONTENT_BYTES);
        limits.metadata(request.getFilterMap(), "filter", MAX_METADATA_ENTRIES);
        List<Predicate> predicates = predicates(request.getPredicatesList());
        int topK = topK(request);
        SemanticQuery narrowing = SemanticQuery.sparse(request.getQueryText(), topK)
                .withFilter(request.getFilterMap())
                .withPredicates(predicates)
                .withCreated(time(request.hasCreatedAfter(), request.getCreatedAfter()),
                        time(request.hasCreatedBefore(), request.getCreatedBefore()))
                .withLifecycle(time(request.hasAsOf(), request.getAsOf()), request.getIncludeInvalidated())
                .withIncludes(request.getIncludePayload() && !request.getIdsOnly(),
                        request.getIncludeVector() && !request.getIdsOnly(), request.getIdsOnly());
        List<Hit> hits = switch (mode) {
            case SEARCH_MODE_SPARSE -> ns.index().search(t.storage(), narrowing);
            case SEARCH_MODE_HYBRID -> {
                int k = candidateK(request);
                float[] q = embed(ns, List.of(request.getQueryText())).getFirst();
                List<Hit> dense = ns.index().search(t.storage(), narrowing.withVector(q).withLimit(k));
                List<Hit> sparse = ns.index().search(t.storage(), narrowing.withLimit(k));
                yield Rrf.fuse(List.of(dense, sparse), topK);
            }
            default -> {
                float[] q = hasVector
                        ? vector(request.getQueryVectorList(), ns.index().spec().dimensions(),
                                ns.index().spec().distance(), "query_vector")
                        : embed(ns, List.of(request.getQueryText())).getFirst();
                yield ns.index().search(t.storage(), narrowing.withVector(q));
            }
        };
        var b = SearchResponse.newBuilder();
        for (Hit h : hits) {
            b.addHitsBuilder().setScore(h.score())
                    .setRecord(request.getIdsOnly() ? Record.newBuilder().setId(h.record().id()).build() : record(h.record()));
        }
        return b.build();
    }

    public GetResponse get(Call call, GetRequest request) {
        var t = namespaces.resolve(call, GET, request.getNamespace());
        String id = Require.identifier(request.getId(), "id", MAX_ID_BYTES);
        return t.namespace().index().get(t.storage(), id, time(request.hasAsOf(), request.getAsOf()),
                        request.getIncludeInvalidated(), request.getIncludePayload(), request.getIncludeVector())
                .map(r -> GetResponse.newBuilder().setFound(true).setRecord(record(r)).build())
                .orElse(GetResponse.newBuilder().setFound(false).build());
    }

    public DeleteResponse delete(Call call, DeleteRequest request) {
        var t = namespaces.resolve(call, DELETE, request.getNamespace());
        String id = Require.identifier(request.getId(), "id", MAX_ID_BYTES);
        return DeleteResponse.newBuilder().setExisted(t.namespace().index().delete(t.storage(), id, request.getHard()))
                .build();
    }

    public ExpireResponse expire(Call call, ExpireRequest request) {
        var t = namespaces.resolve(call, EXPIRE, request.getNamespace());
        ExpireAction action = switch (request.getAction()) {
            case EXPIRE_ACTION_INVALIDATE -> ExpireAction.INVALIDATE;
            case EXPIRE_ACTION_SOFT_DELETE -> ExpireAction.SOFT_DELETE;
            case EXPIRE_ACTION_HARD_DELETE -> ExpireAction.HARD_DELETE;
            default -> throw ApiException.invalidArgument("action required (INVALIDATE, SOFT_DELETE or HARD_DELETE)");
        };
        if (request.getMaxRows() == 0) {
            throw ApiException.invalidArgument("max_rows must be > 0");
        }
        int maxRows = (int) Math.min(Integer.MAX_VALUE, Integer.toUnsignedLong(request.getMaxRows()));
        limits.metadata(request.getFilterMap(), "filter", MAX_METADATA_ENTRIES);
        return ExpireResponse.newBuilder()
                .setAffected(t.namespace().index().expire(t.storage(), request.getFilterMap(), action, maxRows))
                .build();
    }

    private static int topK(SearchRequest r) {
        return r.getTopK() == 0 ? DEFAULT_TOP_K : (int) Math.min(Integer.MAX_VALUE, Integer.toUnsignedLong(r.getTopK()));
    }

    private static int candidateK(SearchRequest r) {
        return r.getRerankCandidateK() == 0 ? DEFAULT_CANDIDATE_K
                : (int) Math.min(Integer.MAX_VALUE, Integer.toUnsignedLong(r.getRerankCandidateK()));
    }

    /** Embeds as one batch; any provider failure or malformed answer is INTERNAL "embed: ...". */
    public static List<float[]> embed(SemanticNamespace ns, List<String> texts) {
        Embedder embedder = ns.embedder();
        List<float[]> out;
        try {
            out = embedder.embed(texts);
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            // Shown to the caller as is (no correlation id): embedder messages name the provider's
            // answer, never a credential, and are what an operator needs to fix the config.
            throw new ApiException(Code.INTERNAL, "embed: " + e.getMessage());
        }
        if (out.size() != texts.size()) {
            throw new ApiException(Code.INTERNAL, "embed: provider returned " + out.size() + " vectors for "
                    + texts.size() + " texts");
        }
        int dims = ns.index().spec().dimensions();
        for (float[] v : out) {
            if (v == null || v.length != dims) {
                throw new ApiException(Code.INTERNAL, "embed: provider returned a vector of "
                        + (v == null ? 0 : v.length) + " dimensions, namespace has " + dims);
            }
        }
        return out;
    }

    public static float[] vector(List<Float> values, int dims, Distance distance, String field) {
        if (values.size() != dims) {
            throw ApiException.invalidArgument(field + " has " + values.size() + " dimensions, namespace has " + dims);
        }
        var v = new float[dims];
        boolean zero = true;
        for (int i = 0; i < dims; i++) {
            v[i] = values.get(i);
            if (!Float.isFinite(v[i])) {
                throw ApiException.invalidArgument(field + "[" + i + "] is not a finite number");
            }
            zero &= v[i] == 0f;
        }
        if (zero && distance == Distance.COSINE) {
            throw ApiException.invalidArgument(field + " is all zeros: cosine similarity is undefined");
        }
        return v;
    }

    public static List<Predicate> predicates(List<FieldPredicate> in) {
        var out = new ArrayList<Predicate>(in.size());
        for (int i = 0; i < in.size(); i++) {
            FieldPredicate p = in.get(i);
            String at = "predicates[" + i + "]";
            if (p.getKey().isEmpty()) {
                throw ApiException.invalidArgument(at + ".key required");
            }
            Require.text(p.getKey(), at + ".key", 1024);
            p.getValuesList().forEach(v -> Require.text(v, at + ".values", 65536));
            Predicate.Op op = switch (p.getOp()) {
                case PREDICATE_OP_EQ -> Predicate.Op.EQ;
                case PREDICATE_OP_NEQ -> Predicate.Op.NEQ;
                case PREDICATE_OP_GT -> Predicate.Op.GT;
                case PREDICATE_OP_GTE -> Predicate.Op.GTE;
                case PREDICATE_OP_LT -> Predicate.Op.LT;
                case PREDICATE_OP_LTE -> Predicate.Op.LTE;
                case PREDICATE_OP_IN -> Predicate.Op.IN;
                default -> throw ApiException.invalidArgument(at + ".op required");
            };
            if (op == Predicate.Op.IN ? p.getValuesCount() == 0 : p.getValuesCount() != 1) {
                throw ApiException.invalidArgument(at + ": " + op + (op == Predicate.Op.IN
                        ? " needs one or more values" : " needs exactly one value"));
            }
            if (op.numeric()) {
                String v = p.getValues(0);
                try {
                    new BigDecimal(v);
                } catch (NumberFormatException e) {
                    throw ApiException.invalidArgument(at + ": " + op + " needs a number, got \"" + v + "\"");
                }
            }
            out.add(new Predicate(p.getKey(), op, p.getValuesList()));
        }
        return out;
    }

    /** Timestamps are kept to the microsecond, PostgreSQL's precision, on every driver alike. */
    public static Optional<Instant> time(boolean present, com.google.protobuf.Timestamp ts) {
        return present ? Optional.of(ProtoTime.instant(ts).truncatedTo(ChronoUnit.MICROS)) : Optional.empty();
    }

    public static Record record(SemanticRecord r) {
        var b = Record.newBuilder().setId(r.id()).setContent(r.content()).putAllMetadata(r.metadata())
                .setCreatedAt(ProtoTime.timestamp(r.createdAt())).setValidFrom(ProtoTime.timestamp(r.validFrom()))
                .addAllSupersedes(r.supersedes()).setSource(r.source()).setVersion(r.version());
        if (r.payload().length > 0) {
            b.setPayload(ByteString.copyFrom(r.payload()));
        }
        for (float f : r.vector()) {
            b.addVector(f);
        }
        r.validTo().ifPresent(v -> b.setValidTo(ProtoTime.timestamp(v)));
        r.deletedAt().ifPresent(v -> b.setDeletedAt(ProtoTime.timestamp(v)));
        return b.build();
    }
}
