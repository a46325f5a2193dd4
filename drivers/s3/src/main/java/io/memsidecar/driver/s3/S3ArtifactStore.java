package io.memsidecar.driver.s3;

import io.memsidecar.artifact.spi.ArtifactMeta;
import io.memsidecar.artifact.spi.ArtifactRead;
import io.memsidecar.artifact.spi.ArtifactStore;
import io.memsidecar.artifact.spi.Upload;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Code;
import io.memsidecar.core.Deadline;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Artifacts on S3. The object key is {@code <prefix><namespace, encoded>/<id>}; size, SHA-256,
 * content type, creation time and the caller's metadata travel as the object's own metadata, so
 * Stat and List return them (the original's s3 driver returned neither size nor checksum).
 *
 * <p>An upload is only published after the service sealed it, by a single atomic S3 write: a
 * small body (up to one part) is buffered and PUT with its metadata; a larger one goes as a
 * multipart upload to a private staging key (each part uploading while the next arrives; parts
 * grow by one part size every 1,000, so S3's 10,000 parts hold ~430 GiB) and is then copied onto
 * the final key with its metadata — in one CopyObject up to S3's 5 GiB limit of a copy, above it
 * as a multipart copy, {@value #IN_FLIGHT} parts at a time. A failed or interrupted upload
 * aborts its multipart uploads and deletes its staging key; the previous version stays untouched.
 *
 * <p>A read of one block or more is read ahead on a platform thread ({@link ReadAhead}).
 */
final class S3ArtifactStore implements ArtifactStore {
    static final int PART = 8 * 1024 * 1024;
    /** S3's largest CopyObject, and largest part of a multipart copy. */
    static final long COPY_LIMIT = 5L * 1024 * 1024 * 1024;
    private static final int IN_FLIGHT = 4;
    private static final String STAGING = ".staging/";

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final Clock clock;
    private final long copyLimit;

    /** {@code copyLimit}: the largest single copy, {@link #COPY_LIMIT} but in tests. */
    S3ArtifactStore(S3Client s3, String bucket, String prefix, Clock clock, long copyLimit) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.clock = clock;
        this.copyLimit = copyLimit;
    }

    private String namespacePrefix(String namespace) {
        return prefix + URLEncoder.encode(namespace, StandardCharsets.UTF_8) + "/";
    }

    private String key(String namespace, String id) {
        return namespacePrefix(namespace) + id;
    }

    @Override
    public ArtifactMeta put(String namespace, Upload upload) {
        String key = key(namespace, upload.id());
        try {
            InputStream body = upload.body();
            byte[] first = body.readNBytes(PART);
            if (first.length < PART) {
                Upload.Integrity integrity = upload.seal();
                ArtifactMeta meta = meta(upload, integrity);
                s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType(meta)).metadata(encode(meta)),
                        body(first));
                return meta;
            }
            return putMultipart(key, upload, first, body);
        } catch (IOException e) {
            throw ApiException.internal("artifact.put: upload body failed", e);
        } catch (SdkException e) {
            throw failure("artifact.put", e);
        }
    }

    private ArtifactMeta putMultipart(String key, Upload upload, byte[] first, InputStream body) throws IOException {
        String staging = prefix + STAGING + UUID.randomUUID();
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(staging)).uploadId();
        boolean completed = false;
        try {
            List<CompletedPart> parts = new ArrayList<>();
            // Each part uploads on its own virtual thread while the next one arrives from the client:
            // one part in flight and one being read (two parts of memory per upload).
            try (ExecutorService uploads = Executors.newVirtualThreadPerTaskExecutor()) {
                byte[] part = first;
                for (int number = 1; part.length > 0; number++) {
                    int n = number;
                    byte[] bytes = part;
                    Future<String> etag = uploads.submit(() -> s3.uploadPart(b -> b.bucket(bucket).key(staging)
                            .uploadId(uploadId).partNumber(n), body(bytes)).eTag());
                    part = body.readNBytes(partSize(number));
                    parts.add(CompletedPart.builder().partNumber(n).eTag(await(etag)).build());
                }
            }
            Upload.Integrity integrity = upload.seal(); // before anything is published
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(staging).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            completed = true;
            ArtifactMeta meta = meta(upload, integrity);
            if (integrity.size() <= copyLimit) {
                s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(staging).destinationBucket(bucket)
                        .destinationKey(key).metadataDirective(MetadataDirective.REPLACE).contentType(contentType(meta))
                        .metadata(encode(meta)));
            } else {
                multipartCopy(staging, key, meta);
            }
            return meta;
        } finally {
            if (completed) {
                s3.deleteObject(b -> b.bucket(bucket).key(staging));
            } else {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(staging).uploadId(uploadId));
            }
        }
    }

    /** Bytes that are ours and never change, handed over as they are ({@code RequestBody.fromBytes} copies them first). */
    private static RequestBody body(byte[] bytes) {
        return RequestBody.fromContentProvider(ContentStreamProvider.fromByteArrayUnsafe(bytes), bytes.length,
                "application/octet-stream");
    }

    /** The size of the part after {@code parts} parts: one more PART every 1,000 parts. */
    static int partSize(int parts) {
        return PART * (1 + parts / 1000);
    }

    /**
     * The staged object onto {@code key} as a multipart upload created with the artifact's metadata,
     * parts of {@code copyLimit} (S3's largest object, 5 TiB, is 1,024 of them) copied
     * {@value #IN_FLIGHT} at a time inside S3; aborted unless it completes.
     */
    private void multipartCopy(String staging, String key, ArtifactMeta meta) {
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(contentType(meta))
                .metadata(encode(meta))).uploadId();
        boolean completed = false;
        try {
            var etags = new ArrayList<Future<String>>();
            var failed = new AtomicBoolean();
            try (ExecutorService copies = Executors.newFixedThreadPool(IN_FLIGHT, Thread.ofVirtual().factory())) {
                for (long offset = 0; offset < meta.size(); offset += copyLimit) {
                    int number = etags.size() + 1;
                    String range = "bytes=" + offset + "-" + (Math.min(offset + copyLimit, meta.size()) - 1);
                    etags.add(copies.submit(() -> {
                        if (failed.get()) {
                            // an earlier part failed: its error is the one reported (parts start in order)
                            throw new CancellationException("an earlier part failed");
                        }
                        try {
                            return s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey(staging)
                                    .destinationBucket(bucket).destinationKey(key).uploadId(uploadId)
                                    .partNumber(number).copySourceRange(range)).copyPartResult().eTag();
                        } catch (RuntimeException e) {
                            failed.set(true); // no further parts are started
                            throw e;
                        }
                    }));
                }
            }
            var parts = new ArrayList<CompletedPart>();
            for (Future<String> etag : etags) {
                parts.add(CompletedPart.builder().partNumber(parts.size() + 1).eTag(await(etag)).build());
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            completed = true;
        } finally {
            if (!completed) {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            }
        }
    }

    /** The part's ETag; its upload's S3 failure as thrown by the client. */
    private static String await(Future<String> etag) {
        try {
            return etag.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw ApiException.internal("artifact.put: a part failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.internal("artifact.put: interrupted while a part was uploading", e);
        }
    }

    private ArtifactMeta meta(Upload upload, Upload.Integrity integrity) {
        return new ArtifactMeta(upload.id(), integrity.size(), upload.contentType(), integrity.sha256(), upload.metadata(),
                clock.instant());
    }

    private static String contentType(ArtifactMeta meta) {
        return meta.contentType().isEmpty() ? "application/octet-stream" : meta.contentType();
    }

    /** S3 metadata values are ASCII headers: the caller's map goes as URL-safe base64 JSON-free pairs. */
    private static Map<String, String> encode(ArtifactMeta meta) {
        var out = new HashMap<String, String>();
        out.put("ms-size", Long.toString(meta.size()));
        out.put("ms-sha256", meta.sha256());
        out.put("ms-created", meta.createdAt().toString());
        out.put("ms-type", b64(meta.contentType()));
        var user = new StringBuilder();
        meta.metadata().forEach((k, v) -> user.append(b64(k)).append('.').append(b64(v)).append(','));
        out.put("ms-meta", user.toString());
        return out;
    }

    private static ArtifactMeta decode(String id, Map<String, String> m) {
        var user = new HashMap<String, String>();
        for (String pair : m.getOrDefault("ms-meta", "").split(",")) {
            int dot = pair.indexOf('.');
            if (dot > 0) {
                user.put(unb64(pair.substring(0, dot)), unb64(pair.substring(dot + 1)));
            }
        }
        return new ArtifactMeta(id, Long.parseLong(m.getOrDefault("ms-size", "0")), unb64(m.getOrDefault("ms-type", "")),
                m.getOrDefault("ms-sha256", ""), user, Instant.parse(m.getOrDefault("ms-created", Instant.EPOCH.toString())));
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String unb64(String s) {
        return new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8);
    }

    @Override
    public Optional<ArtifactMeta> stat(String namespace, String id) {
        try {
            return Optional.of(decode(id, s3.headObject(b -> b.bucket(bucket).key(key(namespace, id))
                    .overrideConfiguration(S3ArtifactStore::withinDeadline)).metadata()));
        } catch (SdkException e) {
            if (status(e) == 404) { // NoSuchKey, or a HEAD's bodiless 404
                return Optional.empty();
            }
            throw failure("artifact.stat", e);
        }
    }

    /**
     * One GetObject, whose response carries the metadata too (a whole read asks for no range, so an
     * empty object is no error); a start at or past the end, which S3 answers with 416, reads nothing.
     */
    @Override
    public Optional<ArtifactRead> open(String namespace, String id, long offset, long length) {
        String key = key(namespace, id);
        String range = offset == 0 && length == 0 ? null
                : "bytes=" + offset + "-" + (length == 0 ? "" : String.valueOf(offset + length - 1));
        try {
            var body = s3.getObject(b -> b.bucket(bucket).key(key).range(range)
                    .overrideConfiguration(S3ArtifactStore::withinDeadline));
            long bytes = body.response().contentLength();
            return Optional.of(new ArtifactRead(decode(id, body.response().metadata()),
                    bytes < ReadAhead.BLOCK ? body : ReadAhead.of(body)));
        } catch (SdkException e) {
            if (status(e) == 416) {
                return stat(namespace, id).map(meta -> new ArtifactRead(meta, InputStream.nullInputStream()));
            }
            if (status(e) == 404) {
                return Optional.empty();
            }
            throw failure("artifact.get", e);
        }
    }

    @Override
    public boolean delete(String namespace, String id) {
        if (stat(namespace, id).isEmpty()) {
            return false;
        }
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(key(namespace, id)).overrideConfiguration(S3ArtifactStore::withinDeadline));
            return true;
        } catch (SdkException e) {
            throw failure("artifact.delete", e);
        }
    }

    @Override
    public void list(String namespace, Map<String, String> filter, String startAfter, long limit,
                     Consumer<ArtifactMeta> sink) {
        String nsPrefix = namespacePrefix(namespace);
        long sent = 0;
        try {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(nsPrefix)
                    .overrideConfiguration(S3ArtifactStore::withinDeadline)
                    .startAfter(startAfter.isEmpty() ? null : nsPrefix + startAfter)).contents()) {
                if (limit > 0 && sent >= limit) {
                    return;
                }
                String id = o.key().substring(nsPrefix.length());
                Optional<ArtifactMeta> meta = stat(namespace, id);
                if (meta.isPresent() && meta.get().metadata().entrySet().containsAll(filter.entrySet())) {
                    sink.accept(meta.get());
                    sent++;
                }
            }
        } catch (SdkException e) {
            throw failure("artifact.list", e);
        }
    }

    /**
     * A request of a call with a deadline gives up (and answers UNAVAILABLE) when the deadline is near,
     * the SDK's retries included, instead of its own socket timeouts (30 s). A body read after the
     * request returned (an artifact's bytes) is the client's stream and not bounded here.
     */
    private static void withinDeadline(AwsRequestOverrideConfiguration.Builder o) {
        long budget = Deadline.budgetNanos();
        if (budget != Long.MAX_VALUE) {
            o.apiCallTimeout(Duration.ofNanos(Math.max(1_000_000, budget)));
        }
    }

    /** The HTTP status S3 answered with; 0 when no answer came (a connection failure, a timeout). */
    private static int status(SdkException e) {
        return e instanceof S3Exception s ? s.statusCode() : 0;
    }

    /**
     * S3 unreachable, timing out, throttling or failing on its side (5xx, 429, no answer at all) is
     * UNAVAILABLE — the client SDK's own retries are spent by then; anything else (403, a missing
     * bucket) is a fault of the configuration: INTERNAL. Never the endpoint or the keys.
     */
    private static ApiException failure(String op, SdkException e) {
        int status = status(e);
        if (status == 0 || status >= 500 || status == 429 || status == 408) {
            return new ApiException(Code.UNAVAILABLE, op + ": S3 unavailable ("
                    + (status == 0 ? "no answer: " + e.getClass().getSimpleName() : "HTTP " + status)
                    + "); retry later", e);
        }
        return ApiException.internal(op + ": S3 error " + status, e);
    }
}
