package io.memsidecar.client;

import com.google.protobuf.ByteString;
import io.memsidecar.proto.semantic.v1.DeleteRequest;
import io.memsidecar.proto.semantic.v1.ExpireAction;
import io.memsidecar.proto.semantic.v1.ExpireRequest;
import io.memsidecar.proto.semantic.v1.FieldPredicate;
import io.memsidecar.proto.semantic.v1.GetRequest;
import io.memsidecar.proto.semantic.v1.PredicateOp;
import io.memsidecar.proto.semantic.v1.SearchMode;
import io.memsidecar.proto.semantic.v1.SearchRequest;
import io.memsidecar.proto.semantic.v1.SemanticGrpc;
import io.memsidecar.proto.semantic.v1.UpsertRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Vector and hybrid search memory (spec §2.4): the server embeds content unless a vector is given. */
public final class Semantic {
    private final MemSidecar client;

    Semantic(MemSidecar client) {
        this.client = client;
    }

    /** A stored record; for an upsert, {@code Record.of(id, content)} and the {@code with…} methods. */
    public record Record(String id, String content, byte[] payload, float[] vector, Map<String, String> metadata,
                         Optional<Instant> createdAt, Optional<Instant> validFrom, Optional<Instant> validTo,
                         Optional<Instant> deletedAt, List<String> supersedes, String source, long version,
                         OptionalLong ifVersion) {
        /** {@code id} may be empty: the server generates one. */
        public static Record of(String id, String content) {
            return new Record(id, content, new byte[0], new float[0], Map.of(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), List.of(), "", 0, OptionalLong.empty());
        }

        public Record withMetadata(Map<String, String> m) {
            return new Record(id, content, payload, vector, Map.copyOf(m), createdAt, validFrom, validTo, deletedAt, supersedes,
                    source, version, ifVersion);
        }

        /** A vector of the namespace's dimensions: stored as given, not embedded. */
        public Record withVector(float[] v) {
            return new Record(id, content, payload, v.clone(), metadata, createdAt, validFrom, validTo, deletedAt, supersedes,
                    source, version, ifVersion);
        }

        public Record withPayload(byte[] p) {
            return new Record(id, content, p.clone(), vector, metadata, createdAt, validFrom, validTo, deletedAt, supersedes,
                    source, version, ifVersion);
        }

        public Record withValidity(Optional<Instant> from, Optional<Instant> to) {
            return new Record(id, content, payload, vector, metadata, createdAt, from, to, deletedAt, supersedes, source, version,
                    ifVersion);
        }

        public Record withSupersedes(List<String> ids) {
            return new Record(id, content, payload, vector, metadata, createdAt, validFrom, validTo, deletedAt, List.copyOf(ids),
                    source, version, ifVersion);
        }

        /** Only if the stored version is {@code v} (0: only if new). */
        public Record withIfVersion(long v) {
            return new Record(id, content, payload, vector, metadata, createdAt, validFrom, validTo, deletedAt, supersedes, source,
                    version, OptionalLong.of(v));
        }
    }

    public record Hit(Record record, float score) {
    }

    /** What an upsert stored. */
    public record Upserted(String id, long version) {
    }

    public enum Mode { DEFAULT, DENSE, SPARSE, HYBRID }

    /** A comparison on a metadata value; numbers compare as numbers. */
    public record Predicate(String key, PredicateOp op, List<String> values) {
        public static Predicate eq(String key, String value) {
            return new Predicate(key, PredicateOp.PREDICATE_OP_EQ, List.of(value));
        }

        public static Predicate neq(String key, String value) {
            return new Predicate(key, PredicateOp.PREDICATE_OP_NEQ, List.of(value));
        }

        public static Predicate gt(String key, String value) {
            return new Predicate(key, PredicateOp.PREDICATE_OP_GT, List.of(value));
        }

        public static Predicate gte(String key, String value) {
            return new Predicate(key, PredicateOp.PREDICATE_OP_GTE, List.of(value));
        }

        public static Predicate lt(String key, String value) {
            return new Predicate(key, PredicateOp.PREDICATE_OP_LT, List.of(value));
        }

        public static Predicate lte(String key, String value) {
            return new Predicate(key, PredicateOp.PREDICATE_OP_LTE, List.of(value));
        }

        public static Predicate in(String key, Collection<String> values) {
            return new Predicate(key, PredicateOp.PREDICATE_OP_IN, List.copyOf(values));
        }

        FieldPredicate proto() {
            return FieldPredicate.newBuilder().setKey(key).setOp(op).addAllValues(values).build();
        }
    }

    /** A search: {@code Query.text("…").withTopK(3).withFilter(Map.of("topic", "geo"))}. */
    public record Query(String text, float[] vector, int topK, Map<String, String> filter, List<Predicate> predicates,
                        Optional<Instant> createdAfter, Optional<Instant> createdBefore, Mode mode, int rerankCandidateK,
                        boolean includePayload, boolean includeVector, Optional<Instant> asOf, boolean includeInvalidated,
                        boolean idsOnly) {
        public static Query text(String text) {
            return new Query(text, new float[0], 10, Map.of(), List.of(), Optional.empty(), Optional.empty(), Mode.DEFAULT, 0,
                    false, false, Optional.empty(), false, false);
        }

        public static Query vector(float[] vector) {
            return new Query("", vector.clone(), 10, Map.of(), List.of(), Optional.empty(), Optional.empty(), Mode.DEFAULT, 0,
                    false, false, Optional.empty(), false, false);
        }

        public Query withTopK(int k) {
            return new Query(text, vector, k, filter, predicates, createdAfter, createdBefore, mode, rerankCandidateK,
                    includePayload, includeVector, asOf, includeInvalidated, idsOnly);
        }

        /** Metadata equality, all of them. */
        public Query withFilter(Map<String, String> f) {
            return new Query(text, vector, topK, Map.copyOf(f), predicates, createdAfter, createdBefore, mode, rerankCandidateK,
                    includePayload, includeVector, asOf, includeInvalidated, idsOnly);
        }

        public Query withPredicates(List<Predicate> p) {
            return new Query(text, vector, topK, filter, List.copyOf(p), createdAfter, createdBefore, mode, rerankCandidateK,
                    includePayload, includeVector, asOf, includeInvalidated, idsOnly);
        }

        public Query withCreated(Optional<Instant> after, Optional<Instant> before) {
            return new Query(text, vector, topK, filter, predicates, after, before, mode, rerankCandidateK, includePayload,
                    includeVector, asOf, includeInvalidated, idsOnly);
        }

        public Query withMode(Mode m, int candidates) {
            return new Query(text, vector, topK, filter, predicates, createdAfter, createdBefore, m, candidates, includePayload,
                    includeVector, asOf, includeInvalidated, idsOnly);
        }

        public Query withPayloadAndVector(boolean payload, boolean vectors) {
            return new Query(text, vector, topK, filter, predicates, createdAfter, createdBefore, mode, rerankCandidateK, payload,
                    vectors, asOf, includeInvalidated, idsOnly);
        }

        public Query asOf(Instant t, boolean includeInvalidated) {
            return new Query(text, vector, topK, filter, predicates, createdAfter, createdBefore, mode, rerankCandidateK,
                    includePayload, includeVector, Optional.of(t), includeInvalidated, idsOnly);
        }

        /** Hits carry ids and scores only (seed a graph walk with them). */
        public Query withIdsOnly() {
            return new Query(text, vector, topK, filter, predicates, createdAfter, createdBefore, mode, rerankCandidateK,
                    includePayload, includeVector, asOf, includeInvalidated, true);
        }
    }

    /** One atomic batch. @throws VersionMismatchException when an {@code ifVersion} did not match */
    public List<Upserted> upsert(String namespace, List<Record> records) {
        var b = UpsertRequest.newBuilder().setNamespace(namespace);
        records.forEach(r -> b.addRecords(proto(r)));
        var r = Calls.call(() -> client.unary(SemanticGrpc::newBlockingStub).upsert(b.build()));
        var out = new ArrayList<Upserted>();
        for (int i = 0; i < r.getIdsCount(); i++) {
            out.add(new Upserted(r.getIds(i), r.getVersions(i)));
        }
        return out;
    }

    public List<Hit> search(String namespace, Query q) {
        var b = SearchRequest.newBuilder().setNamespace(namespace).setQueryText(q.text()).setTopK(q.topK()).putAllFilter(q.filter())
                .setIncludePayload(q.includePayload()).setIncludeVector(q.includeVector())
                .setIncludeInvalidated(q.includeInvalidated()).setIdsOnly(q.idsOnly()).setRerankCandidateK(q.rerankCandidateK())
                .setMode(SearchMode.forNumber(q.mode().ordinal()));
        for (float f : q.vector()) {
            b.addQueryVector(f);
        }
        q.predicates().forEach(p -> b.addPredicates(p.proto()));
        q.createdAfter().ifPresent(t -> b.setCreatedAfter(Calls.timestamp(t)));
        q.createdBefore().ifPresent(t -> b.setCreatedBefore(Calls.timestamp(t)));
        q.asOf().ifPresent(t -> b.setAsOf(Calls.timestamp(t)));
        var r = Calls.call(() -> client.unary(SemanticGrpc::newBlockingStub).search(b.build()));
        return r.getHitsList().stream().map(h -> new Hit(record(h.getRecord()), h.getScore())).toList();
    }

    public Optional<Record> get(String namespace, String id) {
        var r = Calls.call(() -> client.unary(SemanticGrpc::newBlockingStub).get(GetRequest.newBuilder().setNamespace(namespace)
                .setId(id).setIncludePayload(true).setIncludeVector(true).build()));
        return r.getFound() ? Optional.of(record(r.getRecord())) : Optional.empty();
    }

    /** Whether it existed; {@code hard} removes it for good (else a soft delete). */
    public boolean delete(String namespace, String id, boolean hard) {
        return Calls.call(() -> client.unary(SemanticGrpc::newBlockingStub).delete(DeleteRequest.newBuilder()
                .setNamespace(namespace).setId(id).setHard(hard).build())).getExisted();
    }

    /** Invalidates, soft- or hard-deletes the records matching {@code filter}; returns how many. */
    public long expire(String namespace, Map<String, String> filter, ExpireAction action, int maxRows) {
        return Calls.call(() -> client.unary(SemanticGrpc::newBlockingStub).expire(ExpireRequest.newBuilder()
                .setNamespace(namespace).putAllFilter(filter).setAction(action).setMaxRows(maxRows).build())).getAffected();
    }

    private static io.memsidecar.proto.semantic.v1.Record proto(Record r) {
        var b = io.memsidecar.proto.semantic.v1.Record.newBuilder().setId(r.id()).setContent(r.content())
                .setPayload(ByteString.copyFrom(r.payload())).putAllMetadata(r.metadata()).addAllSupersedes(r.supersedes())
                .setSource(r.source());
        for (float f : r.vector()) {
            b.addVector(f);
        }
        r.validFrom().ifPresent(t -> b.setValidFrom(Calls.timestamp(t)));
        r.validTo().ifPresent(t -> b.setValidTo(Calls.timestamp(t)));
        r.ifVersion().ifPresent(b::setIfVersion);
        return b.build();
    }

    static Record record(io.memsidecar.proto.semantic.v1.Record r) {
        float[] v = new float[r.getVectorCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.getVector(i);
        }
        return new Record(r.getId(), r.getContent(), r.getPayload().toByteArray(), v, r.getMetadataMap(),
                Calls.optional(r.hasCreatedAt(), r.getCreatedAt()), Calls.optional(r.hasValidFrom(), r.getValidFrom()),
                Calls.optional(r.hasValidTo(), r.getValidTo()), Calls.optional(r.hasDeletedAt(), r.getDeletedAt()),
                r.getSupersedesList(), r.getSource(), r.getVersion(), OptionalLong.empty());
    }
}
