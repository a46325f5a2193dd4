package io.memsidecar.client;

import com.google.protobuf.ByteString;
import io.memsidecar.proto.kv.v1.DeleteRequest;
import io.memsidecar.proto.kv.v1.GetAccessRequest;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.KVGrpc;
import io.memsidecar.proto.kv.v1.KVItem;
import io.memsidecar.proto.kv.v1.MultiGetRequest;
import io.memsidecar.proto.kv.v1.PutRequest;
import io.memsidecar.proto.kv.v1.ScanRequest;
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
        var r = Calls.call(() -> client.unary(KVGrpc::newBlockingStub).put(b.build()));
        return new Written(r.getVersion(), Calls.instant(r.getCreatedAt()), Calls.optional(r.hasExpiresAt(), r.getExpiresAt()));
    }

    /** The value, or empty when the key is absent or expired. */
    public Optional<Entry> get(String namespace, String key) {
        var r = Calls.call(() -> client.unary(KVGrpc::newBlockingStub).get(GetRequest.newBuilder().setNamespace(namespace)
                .setKey(key).build()));
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
