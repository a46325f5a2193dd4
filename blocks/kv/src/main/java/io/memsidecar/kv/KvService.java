package io.memsidecar.kv;

import com.google.protobuf.ByteString;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Call;
import io.memsidecar.core.Limits;
import io.memsidecar.core.NamespaceTable;
import io.memsidecar.core.Op;
import io.memsidecar.core.ProtoTime;
import io.memsidecar.core.Require;
import io.memsidecar.core.Route;
import io.memsidecar.core.Scope;
import io.memsidecar.kv.spi.KvRecord;
import io.memsidecar.kv.spi.KvScan;
import io.memsidecar.kv.spi.KvTxn;
import io.memsidecar.kv.spi.KvWrite;
import io.memsidecar.proto.kv.v1.DeleteRequest;
import io.memsidecar.proto.kv.v1.DeleteResponse;
import io.memsidecar.proto.kv.v1.GetAccessRequest;
import io.memsidecar.proto.kv.v1.GetAccessResponse;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.GetResponse;
import io.memsidecar.proto.kv.v1.KVItem;
import io.memsidecar.proto.kv.v1.MultiGetRequest;
import io.memsidecar.proto.kv.v1.MultiGetResponse;
import io.memsidecar.proto.kv.v1.PutRequest;
import io.memsidecar.proto.kv.v1.PutResponse;
import io.memsidecar.proto.kv.v1.ScanRequest;
import io.memsidecar.proto.kv.v1.TxnCompare;
import io.memsidecar.proto.kv.v1.TxnOp;
import io.memsidecar.proto.kv.v1.TxnOpResult;
import io.memsidecar.proto.kv.v1.TxnPut;
import io.memsidecar.proto.kv.v1.TxnRequest;
import io.memsidecar.proto.kv.v1.TxnResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The KV block (spec §2.2): validation, a second scope check, tenant mapping and quotas in front
 * of a {@link io.memsidecar.kv.spi.KvStore}. Contributes its routes to the routing table.
 */
public final class KvService {
    public static final String SERVICE = "memsidecar.kv.v1.KV";
    public static final String BLOCK = "kv";
    public static final Op GET = Op.read(BLOCK, "get");
    public static final Op PUT = Op.write(BLOCK, "put");
    public static final Op DELETE = Op.write(BLOCK, "delete");
    public static final Op SCAN = Op.read(BLOCK, "scan");
    /** A multi-key transaction; the token also needs get, put and delete for what it reads and writes. */
    public static final Op TXN = Op.write(BLOCK, "txn");

    /** Longest key accepted, in UTF-8 bytes; PostgreSQL's btree index cannot hold much more. */
    public static final int MAX_KEY_BYTES = 1024;
    private static final int MAX_METADATA_ENTRIES = 64;

    private final NamespaceTable<KvNamespace> namespaces;
    private final Limits limits;

    public KvService(Map<String, KvNamespace> namespaces, boolean tenantIsolation, Limits limits) {
        this.namespaces = new NamespaceTable<>(BLOCK, namespaces, tenantIsolation);
        this.limits = limits;
    }

    public List<Route<?, ?>> routes() {
        return List.of(
                Route.unary(SERVICE, "Get", GetRequest.getDefaultInstance(), GetResponse.getDefaultInstance(),
                        GET, r -> Scope.of(BLOCK, r.getNamespace()), this::get),
                Route.unary(SERVICE, "MultiGet", MultiGetRequest.getDefaultInstance(),
                        MultiGetResponse.getDefaultInstance(), GET,
                        r -> Scope.of(BLOCK, r.getNamespace()), this::multiGet),
                Route.unary(SERVICE, "Put", PutRequest.getDefaultInstance(), PutResponse.getDefaultInstance(),
                        PUT, r -> Scope.of(BLOCK, r.getNamespace()), this::put),
                Route.unary(SERVICE, "Delete", DeleteRequest.getDefaultInstance(),
                        DeleteResponse.getDefaultInstance(), DELETE,
                        r -> Scope.of(BLOCK, r.getNamespace()), this::delete),
                Route.serverStreaming(SERVICE, "Scan", ScanRequest.getDefaultInstance(),
                        KVItem.getDefaultInstance(), SCAN,
                        r -> Scope.of(BLOCK, r.getNamespace()).withSize("limit", r.getLimit()), this::scan),
                Route.unary(SERVICE, "GetAccess", GetAccessRequest.getDefaultInstance(),
                        GetAccessResponse.getDefaultInstance(), GET, r -> Scope.of(BLOCK, r.getNamespace()), this::getAccess),
                Route.unary(SERVICE, "Txn", TxnRequest.getDefaultInstance(), TxnResponse.getDefaultInstance(), TXN,
                        r -> Scope.of(BLOCK, r.getNamespace()), this::txn));
    }

    /** What the namespace's access tier recorded for a key (kv.get; not itself an access). */
    public GetAccessResponse getAccess(Call call, GetAccessRequest request) {
        var t = namespaces.resolve(call, GET, request.getNamespace());
        String key = key(request.getKey());
        var b = GetAccessResponse.newBuilder();
        t.namespace().store().access(t.storage(), key).ifPresentOrElse(a -> {
            b.setTracked(true).setFound(a.found()).setAccessCount(a.count());
            a.last().ifPresent(last -> b.setLastAccessed(ProtoTime.timestamp(last)));
        }, () -> {
            // a scan is never an access (a Get through a sliding tier would be)
            var found = new boolean[1];
            t.namespace().store().scan(t.storage(), new KvScan(key, "", 1, false), r -> found[0] = r.key().equals(key));
            b.setFound(found[0]);
        });
        return b.build();
    }

    public GetResponse get(Call call, GetRequest request) {
        var t = namespaces.resolve(call, GET, request.getNamespace());
        String key = key(request.getKey());
        return getResponse(t.namespace().store().get(t.storage(), key));
    }

    private static GetResponse getResponse(Optional<KvRecord> record) {
        return record.map(r -> {
            var b = GetResponse.newBuilder().setFound(true)
                    .setValue(ByteString.copyFrom(r.value()))
                    .setContentType(r.contentType())
                    .setVersion(r.version())
                    .setCreatedAt(ProtoTime.timestamp(r.createdAt()))
                    .putAllMetadata(r.metadata());
            r.expiresAt().ifPresent(e -> b.setExpiresAt(ProtoTime.timestamp(e)));
            return b.build();
        }).orElse(GetResponse.newBuilder().setFound(false).build());
    }

    public MultiGetResponse multiGet(Call call, MultiGetRequest request) {
        var t = namespaces.resolve(call, GET, request.getNamespace());
        List<String> keys = request.getKeysList().stream().filter(k -> !k.isEmpty())
                .map(KvService::key).distinct().toList();
        var b = MultiGetResponse.newBuilder();
        if (!keys.isEmpty()) {
            t.namespace().store().multiGet(t.storage(), keys).forEach(r -> b.addItems(item(r)));
        }
        return b.build();
    }

    public PutResponse put(Call call, PutRequest request) {
        var t = namespaces.resolve(call, PUT, request.getNamespace());
        String key = key(request.getKey());
        var write = write(request.getValue(), request.getContentType(), request.getMetadataMap(),
                request.hasTtl() ? Optional.of(request.getTtl()) : Optional.empty(),
                request.hasIfVersion() ? OptionalLong.of(request.getIfVersion()) : OptionalLong.empty(), t.namespace().maxItems());
        return putResponse(t.namespace().store().put(t.storage(), key, write));
    }

    /** A Put's fields checked as Put checks them (TTL, value size, content type, metadata). */
    private KvWrite write(ByteString value, String contentType, Map<String, String> metadata,
                          Optional<com.google.protobuf.Duration> ttlField, OptionalLong ifVersion, long maxItems) {
        Optional<Duration> ttl = Optional.empty();
        if (ttlField.isPresent()) {
            Duration d = ProtoTime.duration(ttlField.get());
            if (d.isNegative()) {
                throw ApiException.invalidArgument("ttl must not be negative");
            }
            ttl = d.isZero() ? Optional.empty() : Optional.of(d);
        }
        if (value.size() > limits.maxValueBytes()) {
            throw ApiException.tooLarge("value of " + value.size() + " bytes is over the limit of "
                    + limits.maxValueBytes() + " bytes (limits.max_value_bytes)");
        }
        return new KvWrite(value.toByteArray(), Require.text(contentType, "content_type", 256),
                limits.metadata(metadata, "metadata", MAX_METADATA_ENTRIES), ttl, ifVersion, maxItems);
    }

    private static PutResponse putResponse(KvRecord r) {
        var b = PutResponse.newBuilder().setVersion(r.version()).setCreatedAt(ProtoTime.timestamp(r.createdAt()));
        r.expiresAt().ifPresent(e -> b.setExpiresAt(ProtoTime.timestamp(e)));
        return b.build();
    }

    /**
     * KV.Txn: at most {@code limits.max_txn_ops} compares and ops, each key at most once per branch,
     * puts checked as Put checks them; the token needs kv.txn and the get, put and delete scopes of
     * what it reads (compares, gets) and writes. Quota, TTL and versions are the driver's, as for Put.
     */
    public TxnResponse txn(Call call, TxnRequest request) {
        int size = request.getCompareCount() + request.getSuccessCount() + request.getFailureCount();
        if (size > limits.maxTxnOps()) {
            throw ApiException.tooLarge("transaction of " + size + " compares and ops, more than the limit of "
                    + limits.maxTxnOps() + " (limits.max_txn_ops)");
        }
        var t = namespaces.resolve(call, TXN, request.getNamespace());
        var compares = new ArrayList<KvTxn.Compare>();
        for (int i = 0; i < request.getCompareCount(); i++) {
            TxnCompare c = request.getCompare(i);
            String key = key(c.getKey());
            compares.add(switch (c.getTargetCase()) {
                case VERSION -> KvTxn.Compare.version(key, c.getVersion());
                case ABSENT -> c.getAbsent() ? KvTxn.Compare.absent(key) : KvTxn.Compare.present(key);
                case PRESENT -> c.getPresent() ? KvTxn.Compare.present(key) : KvTxn.Compare.absent(key);
                case VALUE -> KvTxn.Compare.value(key, c.getValue().toByteArray());
                case TARGET_NOT_SET -> throw ApiException.invalidArgument("compare[" + i + "]: set one of version, absent,"
                        + " present or value");
            });
        }
        long maxItems = t.namespace().maxItems();
        var txn = new KvTxn(compares, ops("success", request.getSuccessList(), maxItems),
                ops("failure", request.getFailureList(), maxItems));
        boolean reads = !compares.isEmpty();
        var kinds = java.util.EnumSet.noneOf(KvTxn.Op.Kind.class);
        java.util.stream.Stream.concat(txn.success().stream(), txn.failure().stream()).forEach(o -> kinds.add(o.kind()));
        if (reads || kinds.contains(KvTxn.Op.Kind.GET)) {
            namespaces.resolve(call, GET, request.getNamespace());
        }
        if (kinds.contains(KvTxn.Op.Kind.PUT)) {
            namespaces.resolve(call, PUT, request.getNamespace());
        }
        if (kinds.contains(KvTxn.Op.Kind.DELETE)) {
            namespaces.resolve(call, DELETE, request.getNamespace());
        }
        KvTxn.Result result = t.namespace().store().txn(t.storage(), txn);
        var b = TxnResponse.newBuilder().setSucceeded(result.succeeded()).addAllFailedCompares(result.failedCompares());
        for (KvTxn.OpResult r : result.results()) {
            var op = TxnOpResult.newBuilder();
            switch (r.kind()) {
                case PUT -> op.setPut(putResponse(r.record().orElseThrow()));
                case DELETE -> op.setDelete(DeleteResponse.newBuilder().setExisted(r.existed()));
                case GET -> op.setGet(getResponse(r.record()));
            }
            b.addResults(op);
        }
        return b.build();
    }

    private List<KvTxn.Op> ops(String branch, List<TxnOp> ops, long maxItems) {
        var out = new ArrayList<KvTxn.Op>();
        var seen = new java.util.HashSet<String>();
        for (int i = 0; i < ops.size(); i++) {
            TxnOp op = ops.get(i);
            String where = branch + "[" + i + "]";
            KvTxn.Op o = switch (op.getOpCase()) {
                case PUT -> {
                    TxnPut p = op.getPut();
                    yield KvTxn.Op.put(key(p.getKey()), write(p.getValue(), p.getContentType(), p.getMetadataMap(),
                            p.hasTtl() ? Optional.of(p.getTtl()) : Optional.empty(), OptionalLong.empty(), maxItems));
                }
                case DELETE -> KvTxn.Op.delete(key(op.getDelete().getKey()));
                case GET -> KvTxn.Op.get(key(op.getGet().getKey()));
                case OP_NOT_SET -> throw ApiException.invalidArgument(where + ": set one of put, delete or get");
            };
            if (!seen.add(o.key())) {
                throw ApiException.invalidArgument(where + ": key \"" + o.key() + "\" appears twice in the " + branch + " ops");
            }
            out.add(o);
        }
        return out;
    }

    public DeleteResponse delete(Call call, DeleteRequest request) {
        var t = namespaces.resolve(call, DELETE, request.getNamespace());
        String key = key(request.getKey());
        OptionalLong ifVersion = request.hasIfVersion() ? OptionalLong.of(request.getIfVersion()) : OptionalLong.empty();
        return DeleteResponse.newBuilder().setExisted(t.namespace().store().delete(t.storage(), key, ifVersion)).build();
    }

    public void scan(Call call, ScanRequest request, io.memsidecar.core.Sink<KVItem> sink) {
        var t = namespaces.resolve(call, SCAN, request.getNamespace());
        var scan = new KvScan(Require.text(request.getKeyPrefix(), "key_prefix", MAX_KEY_BYTES),
                Require.text(request.getStartAfter(), "start_after", MAX_KEY_BYTES),
                request.getLimit(), request.getIncludeValues());
        t.namespace().store().scan(t.storage(), scan, r -> sink.send(item(r)));
    }


    private static KVItem item(KvRecord r) {
        var b = KVItem.newBuilder().setKey(r.key()).setValue(ByteString.copyFrom(r.value()))
                .setContentType(r.contentType()).setVersion(r.version())
                .setCreatedAt(ProtoTime.timestamp(r.createdAt())).putAllMetadata(r.metadata());
        r.expiresAt().ifPresent(e -> b.setExpiresAt(ProtoTime.timestamp(e)));
        return b.build();
    }

    private static String key(String key) {
        return Require.identifier(key, "key", MAX_KEY_BYTES);
    }


}
