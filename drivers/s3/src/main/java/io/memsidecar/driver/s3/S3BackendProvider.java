package io.memsidecar.driver.s3;

import io.memsidecar.artifact.spi.ArtifactStore;
import io.memsidecar.core.Options;
import io.memsidecar.core.spi.Backend;
import io.memsidecar.core.spi.BackendProvider;
import io.memsidecar.core.spi.BackendSpec;
import io.memsidecar.core.spi.StoreBackend;
import io.memsidecar.core.spi.StoreSet;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * {@code driver: s3}. Options (spec §3.6): {@code endpoint} (host:port or URL; empty = AWS),
 * {@code bucket}, {@code use_ssl} (false), {@code region} (us-east-1), {@code prefix},
 * {@code access_key}/{@code access_key_env}, {@code secret_key}/{@code secret_key_env} (else the
 * SDK's default credential chain), {@code path_style} (true when an endpoint is given, as
 * MinIO and other S3-compatible stores need).
 */
public final class S3BackendProvider implements BackendProvider {
    static final String DRIVER = "s3";

    @Override
    public String driver() {
        return DRIVER;
    }

    @Override
    public Backend open(BackendSpec spec) {
        return open(spec, S3ArtifactStore.COPY_LIMIT);
    }

    /** With a smaller largest single copy, so that tests reach the multipart copy with small objects. */
    Backend open(BackendSpec spec, long copyLimit) {
        Options o = spec.options();
        String bucket = o.string("bucket").orElseThrow(() -> o.invalid("bucket", "is required"));
        Optional<String> endpoint = o.string("endpoint");
        var builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(Region.of(o.string("region").orElse("us-east-1")))
                .forcePathStyle(o.bool("path_style", endpoint.isPresent()))
                // Checksums only where S3 requires them: S3-compatible stores reject the SDK's default
                // aws-chunked uploads with trailing checksums, and the service hashes every byte itself.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // Over plain HTTP the SDK signs every payload; by default it does so chunk by chunk in
                // aws-chunked encoding, which the store has to decode. Parts are already in memory, so
                // hash each once and send it as a plain body (over HTTPS payloads go unsigned either way).
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build());
        endpoint.ifPresent(e -> builder.endpointOverride(URI.create(e.contains("://") ? e
                : (o.bool("use_ssl", false) ? "https://" : "http://") + e)));
        Optional<String> access = o.stringOrEnv("access_key");
        Optional<String> secret = o.stringOrEnv("secret_key");
        if (access.isPresent() != secret.isPresent()) {
            throw o.invalid(access.isPresent() ? "secret_key" : "access_key", "is required with the other key");
        }
        builder.credentialsProvider(access.isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(access.get(), secret.get()))
                : DefaultCredentialsProvider.builder().build());
        S3Client s3 = builder.build();
        var stores = new StoreSet(Map.of(ArtifactStore.class, new S3ArtifactStore(s3, bucket, o.string("prefix").orElse(""),
                spec.clock(), copyLimit)));
        return new StoreBackend(spec.name(), DRIVER, stores, () -> s3.headBucket(b -> b.bucket(bucket)), s3::close);
    }
}
