package io.memsidecar.client;

import com.google.protobuf.ByteString;
import io.memsidecar.proto.kv.v1.DeleteRequest;
import io.memsidecar.proto.kv.v1.GetAccessRequest;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.GetResponse;
import io.memsidecar.proto.kv.v1.KVGrpc;
import io.memsidecar.proto.kv.v1.KVItem;
import io.memsidecar.proto.kv.v1.MultiGetRequest;
import io.memsidecar.proto.kv.v1.PutRequest;
import io.memsidecar.proto.kv.v1.PutResponse;
import io.memsidecar.proto.kv.v1.ScanRequest;
import io.memsidecar.proto.kv.v1.TxnCompare;
import io.memsidecar.proto.kv.v1.TxnDelete;
import io.memsidecar.proto.kv.v1.TxnGet;
import io.memsidecar.proto.kv.v1.TxnOp;
import io.memsidecar.proto.kv.v1.TxnPut;
import io.memsidecar.proto.kv.v1.TxnRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/** Key-value memory (spec §2.2): last write wins, or compare-and-set on the version. */
public final class Kv {
    private final MemSidecar client;

    Kv(MemSidecar client) {
        this.client = client;
    }

    /** One stored value. */
    public record Entry(String key, byte[] value, String contentType, Map<String, String> metadata, long version,
                        Instant createdAt, Optional<Instant> expiresAt) {
        public String text() {
            return new String(value, StandardCharsets.UTF_8);
        }
    }

    /** What a Put stored. */
    public record Written(long version, Instant createdAt, Optional<Instant> expiresAt) {
    }

    /** Options of a Put: {@code PutOptions.ttl(Duration.ofMinutes(5)).withIfVersion(3)}. */
    public record PutOptions(Optional<Duration> ttl, String contentType, Map<String, String> metadata, OptionalLong ifVersion) {
        public static final PutOptions NONE = new PutOptions(Optional.empty(), "", Map.of(), OptionalLong.empty());

        public static PutOptions ttl(Duration ttl) {
            return NONE.withTtl(ttl);
        }

        public PutOptions withTtl(Duration d) {
            return new PutOptions(Optional.of(d), contentType, metadata, ifVersion);
        }

        public PutOptions withContentType(String type) {
            return new PutOptions(ttl, type, metadata, ifVersion);
        }

        public PutOptions withMetadata(Map<String, String> m) {
            return new PutOptions(ttl, contentType, Map.copyOf(m), ifVersion);
        }

        /** Only if the stored version is {@code version} (0: only if the key is absent). */
        public PutOptions withIfVersion(long version) {
            return new PutOptions(ttl, contentType, metadata, OptionalLong.of(version));
        }
    }

    /** Options of a Scan. */
    public record ScanOptions(String keyPrefix, String startAfter, int limit, boolean includeValues) {
        public static final ScanOptions ALL = new ScanOptions("", "", 0, false);

        public static ScanOptions prefix(String prefix) {
            return new ScanOptions(prefix, "", 0, false);
        }

        public ScanOptions withStartAfter(String key) {
            return new ScanOptions(keyPrefix, key, limit, includeValues);
        }

        public ScanOptions withLimit(int n) {
            return new ScanOptions(keyPrefix, startAfter, n, includeValues);
        }

        public ScanOptions withValues() {
            return new ScanOptions(keyPrefix, startAfter, limit, true);
        }
    }

    public Written put(String namespace, String key, String value) {
        return put(namespace, key, value.getBytes(StandardCharsets.UTF_8), PutOptions.NONE);
    }

    public Written put(String namespace, String key, String value, PutOptions options) {
        return put(namespace, key, value.getBytes(StandardCharsets.UTF_8), options);
    }

    /** @throws VersionMismatchException when {@code ifVersion} did not match */
    public Written put(String namespace, String key, byte[] value, PutOptions options) {
        var b = PutRequest.newBuilder().setNamespace(namespace).setKey(key).setValue(ByteString.copyFrom(value))
                .setContentType(options.contentType()).putAllMetadata(options.metadata());
        options.ttl().ifPresent(t -> b.setTtl(Calls.duration(t)));
        options.ifVersion().ifPresent(b::setIfVersion);
        return written(Calls.call(() -> client.unary(KVGrpc::newBlockingStub).put(b.build())));
    }

    private static Written written(PutResponse r) {
        return new Written(r.getVersion(), Calls.instant(r.getCreatedAt()), Calls.optional(r.hasExpiresAt(), r.getExpiresAt()));
    }

    /** The value, or empty when the key is absent or expired. */
    public Optional<Entry> get(String namespace, String key) {
        return entry(key, Calls.call(() -> client.unary(KVGrpc::newBlockingStub).get(GetRequest.newBuilder()
                .setNamespace(namespace).setKey(key).build())));
    }

    private static Optional<Entry> entry(String key, GetResponse r) {
        return r.getFound() ? Optional.of(new Entry(key, r.getValue().toByteArray(), r.getContentType(), r.getMetadataMap(),
                r.getVersion(), Calls.instant(r.getCreatedAt()), Calls.optional(r.hasExpiresAt(), r.getExpiresAt())))
                : Optional.empty();
    }

    /** What a tracking access tier recorded for a live key: how many reads, and the last one's time. */
    public record Access(long count, Optional<Instant> lastAccessed) {
    }

    /**
     * The reads the namespace's access tier recorded for the key (not itself a read); empty when
     * the key is absent, {@code count} 0 when the namespace does not track reads.
     */
    public Optional<Access> access(String namespace, String key) {
        var r = Calls.call(() -> client.unary(KVGrpc::newBlockingStub).getAccess(GetAccessRequest.newBuilder()
                .setNamespace(namespace).setKey(key).build()));
        return r.getFound() ? Optional.of(new Access(r.getAccessCount(), Calls.optional(r.hasLastAccessed(), r.getLastAccessed())))
                : Optional.empty();
    }

    /** The keys that exist, in the order asked. */
    public List<Entry> multiGet(String namespace, Collection<String> keys) {
        var r = Calls.call(() -> client.unary(KVGrpc::newBlockingStub).multiGet(MultiGetRequest.newBuilder()
                .setNamespace(namespace).addAllKeys(keys).build()));
        return r.getItemsList().stream().map(Kv::entry).toList();
    }

    /** Whether the key existed. */
    public boolean delete(String namespace, String key) {
        return delete(namespace, key, OptionalLong.empty());
    }

    /** @throws VersionMismatchException when {@code ifVersion} did not match */
    public boolean delete(String namespace, String key, OptionalLong ifVersion) {
        var b = DeleteRequest.newBuilder().setNamespace(namespace).setKey(key);
        ifVersion.ifPresent(b::setIfVersion);
        return Calls.call(() -> client.unary(KVGrpc::newBlockingStub).delete(b.build())).getExisted();
    }

    /**
     * A multi-key transaction on one namespace (KV.Txn): compares, then the success ops when they
     * all hold, else the failure ops, atomically. {@code kv.txn("bank").ifVersion("a", 3).ifVersion("b", 7)
     * .put("a", "90").put("b", "110").commit()}.
     */
    public Txn txn(String namespace) {
        return new Txn(namespace);
    }

    /** One op's result: a put's {@code written}, a delete's {@code existed}, a get's {@code entry}. */
    public record OpResult(Optional<Written> written, boolean existed, Optional<Entry> entry) {
    }

    /** Which branch ran, its ops' results in order, and the indexes of the compares that did not hold. */
    public record TxnResult(boolean succeeded, List<OpResult> results, List<Integer> failedCompares) {
    }

    /** A transaction being built; {@link #commit} sends it. Not thread-safe. */
    public final class Txn {
        private final TxnRequest.Builder b;

        private Txn(String namespace) {
            b = TxnRequest.newBuilder().setNamespace(namespace);
        }

        /** The key's version is {@code version} (0: absent). */
        public Txn ifVersion(String key, long version) {
            b.addCompare(TxnCompare.newBuilder().setKey(key).setVersion(version));
            return this;
        }

        public Txn ifAbsent(String key) {
            b.addCompare(TxnCompare.newBuilder().setKey(key).setAbsent(true));
            return this;
        }

        public Txn ifPresent(String key) {
            b.addCompare(TxnCompare.newBuilder().setKey(key).setPresent(true));
            return this;
        }

        public Txn ifValue(String key, byte[] value) {
            b.addCompare(TxnCompare.newBuilder().setKey(key).setValue(ByteString.copyFrom(value)));
            return this;
        }

        public Txn ifValue(String key, String value) {
            return ifValue(key, value.getBytes(StandardCharsets.UTF_8));
        }

        public Txn put(String key, String value) {
            b.addSuccess(putOp(key, value.getBytes(StandardCharsets.UTF_8), PutOptions.NONE));
            return this;
        }

        public Txn put(String key, byte[] value, PutOptions options) {
            b.addSuccess(putOp(key, value, options));
            return this;
        }

        public Txn delete(String key) {
            b.addSuccess(TxnOp.newBuilder().setDelete(TxnDelete.newBuilder().setKey(key)));
            return this;
        }

        public Txn get(String key) {
            b.addSuccess(TxnOp.newBuilder().setGet(TxnGet.newBuilder().setKey(key)));
            return this;
        }

        public Txn orElsePut(String key, byte[] value, PutOptions options) {
            b.addFailure(putOp(key, value, options));
            return this;
        }

        public Txn orElseDelete(String key) {
            b.addFailure(TxnOp.newBuilder().setDelete(TxnDelete.newBuilder().setKey(key)));
            return this;
        }

        public Txn orElseGet(String key) {
            b.addFailure(TxnOp.newBuilder().setGet(TxnGet.newBuilder().setKey(key)));
            return this;
        }

        private static TxnOp putOp(String key, byte[] value, PutOptions options) {
            if (options.ifVersion().isPresent()) {
                throw new IllegalArgumentException("a transaction's put takes no ifVersion: add ifVersion(key, n) to its compares");
            }
            var p = TxnPut.newBuilder().setKey(key).setValue(ByteString.copyFrom(value)).setContentType(options.contentType())
                    .putAllMetadata(options.metadata());
            options.ttl().ifPresent(t -> p.setTtl(Calls.duration(t)));
            return TxnOp.newBuilder().setPut(p).build();
        }

        public TxnResult commit() {
            TxnRequest request = b.build();
            var r = Calls.call(() -> client.unary(KVGrpc::newBlockingStub).txn(request));
            List<TxnOp> ops = r.getSucceeded() ? request.getSuccessList() : request.getFailureList();
            var results = new java.util.ArrayList<OpResult>();
            for (int i = 0; i < r.getResultsCount(); i++) {
                var o = r.getResults(i);
                results.add(switch (o.getResultCase()) {
                    case PUT -> new OpResult(Optional.of(written(o.getPut())), false, Optional.empty());
                    case DELETE -> new OpResult(Optional.empty(), o.getDelete().getExisted(), Optional.empty());
                    default -> new OpResult(Optional.empty(), false, entry(ops.get(i).getGet().getKey(), o.getGet()));
                });
            }
            return new TxnResult(r.getSucceeded(), List.copyOf(results), List.copyOf(r.getFailedComparesList()));
        }
    }

    /** Keys in key order, as the server streams them; close the stream to stop early. */
    public Stream<Entry> scan(String namespace, ScanOptions options) {
        var request = ScanRequest.newBuilder().setNamespace(namespace).setKeyPrefix(options.keyPrefix())
                .setStartAfter(options.startAfter()).setLimit(options.limit()).setIncludeValues(options.includeValues()).build();
        return Calls.stream(() -> KVGrpc.newBlockingStub(client.channel()).scan(request), Kv::entry);
    }

    private static Entry entry(KVItem i) {
        return new Entry(i.getKey(), i.getValue().toByteArray(), i.getContentType(), i.getMetadataMap(), i.getVersion(),
                Calls.instant(i.getCreatedAt()), Calls.optional(i.hasExpiresAt(), i.getExpiresAt()));
    }
}
