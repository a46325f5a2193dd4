package io.memsidecar.artifact;

import com.google.protobuf.UnsafeByteOperations;
import io.memsidecar.artifact.spi.ArtifactMeta;
import io.memsidecar.artifact.spi.ArtifactRead;
import io.memsidecar.artifact.spi.Upload;
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
import io.memsidecar.core.Sink;
import io.memsidecar.proto.artifact.v1.ArtifactRef;
import io.memsidecar.proto.artifact.v1.DeleteRequest;
import io.memsidecar.proto.artifact.v1.DeleteResponse;
import io.memsidecar.proto.artifact.v1.GetChunk;
import io.memsidecar.proto.artifact.v1.GetHeader;
import io.memsidecar.proto.artifact.v1.GetRequest;
import io.memsidecar.proto.artifact.v1.GetResponse;
import io.memsidecar.proto.artifact.v1.ListRequest;
import io.memsidecar.proto.artifact.v1.PutInit;
import io.memsidecar.proto.artifact.v1.PutRequest;
import io.memsidecar.proto.artifact.v1.PutResponse;
import io.memsidecar.proto.artifact.v1.StatRequest;
import io.memsidecar.proto.artifact.v1.StatResponse;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The artifact block (spec §2.5). Bytes stream through with bounded memory: Put hands the driver
 * an input stream over the client's chunks while it computes size and SHA-256, and checks what
 * the client promised before the driver may publish; Get sends 64 KiB chunks and, on a whole-file
 * read, verifies the stored bytes as it goes: against a CRC-32C recorded at Put in the reserved
 * metadata entry {@value #CRC32C} (hardware-accelerated, a few percent of SHA-256's cost), or
 * against the SHA-256 for artifacts stored before that entry existed. Metadata keys starting with
 * {@value #RESERVED} are the server's: refused on Put, never shown.
 */
public final class ArtifactService {
    public static final String SERVICE = "memsidecar.artifact.v1.Artifact";
    public static final String BLOCK = "artifact";
    public static final Op PUT = Op.write(BLOCK, "put");
    public static final Op GET = Op.read(BLOCK, "get");
    public static final Op STAT = Op.read(BLOCK, "stat");
    public static final Op DELETE = Op.write(BLOCK, "delete");
    public static final Op LIST = Op.read(BLOCK, "list");
    static final int CHUNK = 64 * 1024;
    /** The prefix of metadata keys the server keeps for itself (this one and encryption's). */
    public static final String RESERVED = "memsidecar-";
    /** CRC-32C of the stored bytes (8 hex digits), recorded at Put and checked by a whole-file Get. */
    static final String CRC32C = RESERVED + "crc32c";

    private final NamespaceTable<ArtifactNamespace> namespaces;
    private final Limits limits;

    public ArtifactService(Map<String, ArtifactNamespace> namespaces, boolean tenantIsolation, Limits limits) {
        this.namespaces = new NamespaceTable<>(BLOCK, namespaces, tenantIsolation);
        this.limits = limits;
    }

    public List<Route<?, ?>> routes() {
        return List.of(
                Route.clientStreaming(SERVICE, "Put", PutRequest.getDefaultInstance(), PutResponse.getDefaultInstance(),
                        PUT, r -> Scope.of(BLOCK, r.getInit().getNamespace()), this::put),
                Route.serverStreaming(SERVICE, "Get", GetRequest.getDefaultInstance(), GetResponse.getDefaultInstance(),
                        GET, r -> Scope.of(BLOCK, r.getNamespace()), this::get),
                Route.unary(SERVICE, "Stat", StatRequest.getDefaultInstance(), StatResponse.getDefaultInstance(),
                        STAT, r -> Scope.of(BLOCK, r.getNamespace()), this::stat),
                Route.unary(SERVICE, "Delete", DeleteRequest.getDefaultInstance(), DeleteResponse.getDefaultInstance(),
                        DELETE, r -> Scope.of(BLOCK, r.getNamespace()), this::delete),
                Route.serverStreaming(SERVICE, "List", ListRequest.getDefaultInstance(),
                        io.memsidecar.proto.artifact.v1.ArtifactMeta.getDefaultInstance(), LIST,
                        r -> Scope.of(BLOCK, r.getNamespace()).withSize("limit", r.getLimit()), this::list));
    }

    public PutResponse put(Call call, PutRequest first) {
        if (!first.hasInit()) {
            throw ApiException.invalidArgument("the first Put message must be init");
        }
        PutInit init = first.getInit();
        var t = namespaces.resolve(call, PUT, init.getNamespace());
        String id = init.getId().isEmpty() ? UUID.randomUUID().toString() : ArtifactIds.check(init.getId());
        String expectedSha = init.getExpectedSha256().toLowerCase(Locale.ROOT);
        if (!expectedSha.isEmpty() && !expectedSha.matches("[0-9a-f]{64}")) {
            throw ApiException.invalidArgument("expected_sha256 must be 64 hex characters");
        }
        long maxSize = t.namespace().maxSize();
        if (maxSize > 0 && init.hasExpectedSize() && init.getExpectedSize() > maxSize) {
            throw overMax(init.getNamespace(), maxSize);
        }
        Map<String, String> clientMetadata = limits.metadata(init.getMetadataMap(), "metadata", 64);
        for (String key : clientMetadata.keySet()) {
            if (key.startsWith(RESERVED)) {
                throw ApiException.invalidArgument("metadata key " + key + ": keys starting with " + RESERVED
                        + " are reserved for the server");
            }
        }
        var body = new ChunkStream(call.rest(), maxSize, () -> overMax(init.getNamespace(), maxSize));
        var upload = new Upload() {
            public String id() {
                return id;
            }

            public String contentType() {
                return Require.text(init.getContentType(), "content_type", 256);
            }

            public Map<String, String> metadata() {
                var out = new HashMap<>(clientMetadata);
                out.put(CRC32C, body.sums().crc32c());
                return out;
            }

            public InputStream body() {
                return body;
            }

            public Integrity seal() {
                Integrity got = body.seal();
                if (init.hasExpectedSize() && init.getExpectedSize() != got.size()) {
                    throw ApiException.invalidArgument("size mismatch: expected " + init.getExpectedSize() + " bytes, got "
                            + got.size() + "; nothing stored");
                }
                if (!expectedSha.isEmpty() && !expectedSha.equals(got.sha256())) {
                    throw ApiException.invalidArgument("sha256 mismatch: expected " + expectedSha + ", got " + got.sha256()
                            + "; nothing stored");
                }
                return got;
            }
        };
        ArtifactMeta meta;
        try {
            meta = t.namespace().store().put(t.storage(), upload);
        } finally {
            body.abandon();
        }
        return PutResponse.newBuilder().setRef(ArtifactRef.newBuilder().setId(meta.id()).setSize(meta.size())
                .setContentType(meta.contentType()).setSha256(meta.sha256())
                .setCreatedAt(ProtoTime.timestamp(meta.createdAt()))).build();
    }

    public void get(Call call, GetRequest r, Sink<GetResponse> sink) {
        var t = namespaces.resolve(call, GET, r.getNamespace());
        String id = ArtifactIds.check(r.getId());
        // one call to the store: the open read says the size (on S3 that is one request, not three)
        Optional<ArtifactRead> opened = t.namespace().store().open(t.storage(), id, r.getOffset(), r.getLength());
        if (opened.isEmpty()) {
            throw ApiException.notFound("artifact " + r.getNamespace() + "/" + id + " not found");
        }
        boolean whole = r.getOffset() == 0 && (r.getLength() == 0 || r.getLength() >= opened.get().meta().size());
        try (ArtifactRead read = opened.get()) {
            if (r.getOffset() > read.meta().size()) {
                throw new ApiException(Code.OUT_OF_RANGE, "offset " + r.getOffset() + " is past the end (" + read.meta().size() + " bytes)");
            }
            sink.send(GetResponse.newBuilder().setHeader(GetHeader.newBuilder().setMeta(proto(read.meta()))).build());
            // Only a whole read is checked: against the CRC-32C recorded at Put, or the SHA-256 of an
            // artifact stored before that record existed; a ranged read hashes nothing.
            String crc = read.meta().metadata().get(CRC32C);
            String sha = read.meta().sha256();
            CRC32C crcCheck = whole && crc != null ? new CRC32C() : null;
            MessageDigest shaCheck = whole && crc == null && !sha.isEmpty() ? sha256() : null;
            int n;
            // a fresh array per chunk, handed to the message without a copy (nothing writes it after)
            for (byte[] buffer = new byte[CHUNK]; (n = read.body().readNBytes(buffer, 0, CHUNK)) > 0; buffer = new byte[CHUNK]) {
                if (crcCheck != null) {
                    crcCheck.update(buffer, 0, n);
                }
                if (shaCheck != null) {
                    shaCheck.update(buffer, 0, n);
                }
                sink.send(GetResponse.newBuilder().setChunk(GetChunk.newBuilder()
                        .setData(UnsafeByteOperations.unsafeWrap(buffer, 0, n))).build());
            }
            if (crcCheck != null && !crc32c(crcCheck).equals(crc)
                    || shaCheck != null && !HexFormat.of().formatHex(shaCheck.digest()).equals(sha)) {
                throw new ApiException(Code.DATA_LOSS, "artifact " + r.getNamespace() + "/" + id
                        + " does not match its stored checksum: the stored bytes changed");
            }
        } catch (IOException e) {
            throw ApiException.internal("artifact.get: read failed", e);
        }
    }

    public StatResponse stat(Call call, StatRequest r) {
        var t = namespaces.resolve(call, STAT, r.getNamespace());
        return t.namespace().store().stat(t.storage(), ArtifactIds.check(r.getId()))
                .map(m -> StatResponse.newBuilder().setFound(true).setMeta(proto(m)).build())
                .orElse(StatResponse.newBuilder().setFound(false).build());
    }

    public DeleteResponse delete(Call call, DeleteRequest r) {
        var t = namespaces.resolve(call, DELETE, r.getNamespace());
        return DeleteResponse.newBuilder().setExisted(t.namespace().store().delete(t.storage(), ArtifactIds.check(r.getId())))
                .build();
    }

    public void list(Call call, ListRequest r, Sink<io.memsidecar.proto.artifact.v1.ArtifactMeta> sink) {
        var t = namespaces.resolve(call, LIST, r.getNamespace());
        if (!r.getStartAfter().isEmpty()) {
            ArtifactIds.check(r.getStartAfter());
        }
        t.namespace().store().list(t.storage(), r.getFilterMap(), r.getStartAfter(), r.getLimit(), m -> sink.send(proto(m)));
    }

    static io.memsidecar.proto.artifact.v1.ArtifactMeta proto(ArtifactMeta m) {
        var out = io.memsidecar.proto.artifact.v1.ArtifactMeta.newBuilder().setId(m.id()).setSize(m.size())
                .setContentType(m.contentType()).setSha256(m.sha256()).setCreatedAt(ProtoTime.timestamp(m.createdAt()));
        m.metadata().forEach((k, v) -> {
            if (!k.startsWith(RESERVED)) {
                out.putMetadata(k, v);
            }
        });
        return out.build();
    }

    static String crc32c(CRC32C crc) {
        return "%08x".formatted(crc.getValue());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ApiException overMax(String namespace, long maxSize) {
        return ApiException.tooLarge("artifact is larger than the max_size of artifact/" + namespace + " (" + maxSize
                + " bytes); nothing stored");
    }
}
