package io.memsidecar.tests.bench;

import io.grpc.ManagedChannel;
import io.memsidecar.proto.artifact.v1.ArtifactGrpc;
import io.memsidecar.proto.artifact.v1.GetRequest;
import io.memsidecar.proto.artifact.v1.PutInit;
import io.memsidecar.proto.artifact.v1.PutResponse;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MetadataDirective;

/**
 * Streams one file as an artifact through the sidecar (Put, then Get), or, as the S3 baseline,
 * straight to an S3 endpoint with the AWS SDK; prints MB/s for each direction as JSON.
 */
@Command(name = "artifact-load", mixinStandardHelpOptions = true)
public final class ArtifactLoad implements Callable<Integer> {
    @Mixin
    LoadOptions run = new LoadOptions();
    @Option(names = "--file", required = true)
    Path file;
    @Option(names = "--s3-endpoint", description = "baseline: talk to this S3 endpoint directly")
    String s3Endpoint;
    @Option(names = "--s3-aws-chunked",
            description = "baseline: sign the payload chunk by chunk in aws-chunked encoding, the SDK's default over plain "
                    + "HTTP (without it: one hash per request, as the S3 driver does)")
    boolean awsChunked;
    @Option(names = "--s3-as-driver",
            description = "baseline: Put with the requests the S3 driver makes for a body above one part — a multipart "
                    + "upload of 8 MiB parts to a staging key, then a copy with metadata onto the final key (without it: "
                    + "one PutObject)")
    boolean asDriver;
    @Option(names = "--gets", defaultValue = "1",
            description = "Get the artifact (or, with --s3-endpoint, the object) this many times after the Put, in this JVM "
                    + "so later Gets run warm; get_mb_s is their median")
    int gets;
    @Option(names = "--puts", defaultValue = "1",
            description = "Put the file this many times (the same id, each a new version); put_mb_s is their median")
    int puts;
    @Option(names = "--chunk", defaultValue = "1048576",
            description = "bytes per Put message (default: the Java SDK's upload chunk, 1 MiB)")
    int chunk;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ArtifactLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        long size = Files.size(file);
        long put;
        long got;
        if (s3Endpoint != null) {
            try (S3Client s3 = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).region(Region.US_EAST_1)
                    .endpointOverride(URI.create(s3Endpoint)).forcePathStyle(true)
                    .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(awsChunked).build())
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("memsidecar", "bench-secret")))
                    .build()) {
                put = median(puts, size, () -> {
                    if (asDriver) {
                        putLikeDriver(s3);
                    } else {
                        s3.putObject(b -> b.bucket("bench").key("direct"), RequestBody.fromFile(file));
                    }
                    return size;
                });
                got = median(gets, size, () -> {
                    try (InputStream in = s3.getObject(b -> b.bucket("bench").key("direct"))) {
                        return in.transferTo(java.io.OutputStream.nullOutputStream());
                    }
                });
            }
        } else {
            ManagedChannel ch = run.open();
            try {
                // keep sending until 1 MiB is queued (grpc-java's default of 32 KiB stops after every 64 KiB chunk)
                var async = ArtifactGrpc.newStub(run.authenticated(ch)).withOnReadyThreshold(1 << 20);
                put = median(puts, size, () -> put(async, size).get(30, TimeUnit.MINUTES).getRef().getSize());
                got = median(gets, size, () -> {
                    long n = 0;
                    var it = ArtifactGrpc.newBlockingStub(run.authenticated(ch))
                            .get(GetRequest.newBuilder().setNamespace(run.namespace).setId("bench").build());
                    while (it.hasNext()) {
                        var r = it.next();
                        n += r.hasChunk() ? r.getChunk().getData().size() : 0;
                    }
                    return n;
                });
            } finally {
                ch.shutdownNow();
            }
        }
        System.out.printf("{\"bytes\":%d,\"put_mb_s\":%.1f,\"get_mb_s\":%.1f}%n", size,
                put < 0 ? -1 : size / 1e6 / (put / 1e9), got < 0 ? -1 : size / 1e6 / (got / 1e9));
        return 0;
    }

    /** The S3 driver's requests for a body above one part, one after another (the driver overlaps a part's upload with the next one's arrival). */
    private void putLikeDriver(S3Client s3) throws java.io.IOException {
        String staging = "direct.staging";
        String uploadId = s3.createMultipartUpload(b -> b.bucket("bench").key(staging)).uploadId();
        var parts = new java.util.ArrayList<CompletedPart>();
        try (InputStream in = Files.newInputStream(file)) {
            for (byte[] bytes = in.readNBytes(8 << 20); bytes.length > 0; bytes = in.readNBytes(8 << 20)) {
                int n = parts.size() + 1;
                String etag = s3.uploadPart(b -> b.bucket("bench").key(staging).uploadId(uploadId).partNumber(n),
                        RequestBody.fromContentProvider(ContentStreamProvider.fromByteArrayUnsafe(bytes), bytes.length,
                                "application/octet-stream")).eTag(); // as the driver hands its parts over: no copy
                parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
            }
        }
        s3.completeMultipartUpload(b -> b.bucket("bench").key(staging).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
        s3.copyObject(b -> b.sourceBucket("bench").sourceKey(staging).destinationBucket("bench").destinationKey("direct")
                .metadataDirective(MetadataDirective.REPLACE).metadata(java.util.Map.of("sha256", "-")));
        s3.deleteObject(b -> b.bucket("bench").key(staging));
    }

    /** One whole Put or Get: the bytes it moved. */
    private interface Transfer {
        long bytes() throws Exception;
    }

    /** The median nanoseconds of {@code n} transfers, or -1 when any of them moved fewer than {@code size} bytes. */
    private static long median(int n, long size, Transfer transfer) throws Exception {
        long[] times = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            times[i] = transfer.bytes() == size ? System.nanoTime() - t0 : Long.MAX_VALUE;
        }
        java.util.Arrays.sort(times);
        return times[n - 1] == Long.MAX_VALUE ? -1 : times[n / 2];
    }

    private CompletableFuture<PutResponse> put(ArtifactGrpc.ArtifactStub stub, long size) throws Exception {
        InputStream in = Files.newInputStream(file);
        return ArtifactUpload.put(stub, PutInit.newBuilder().setNamespace(run.namespace).setId("bench").build(), chunk,
                buffer -> {
                    int n = in.readNBytes(buffer, 0, buffer.length);
                    return n == 0 ? -1 : n;
                }).whenComplete((r, e) -> {
                    try {
                        in.close();
                    } catch (java.io.IOException ignored) {
                        // a read-only file: nothing to lose
                    }
                });
    }
}
