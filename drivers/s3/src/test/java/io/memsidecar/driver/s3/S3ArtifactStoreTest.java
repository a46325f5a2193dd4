package io.memsidecar.driver.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memsidecar.artifact.ArtifactStoreConformance;
import io.memsidecar.artifact.spi.ArtifactStore;
import io.memsidecar.core.Options;
import io.memsidecar.core.spi.Backend;
import io.memsidecar.core.spi.BackendSpec;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The S3 driver against a real S3 protocol server: s3proxy, in process, on loopback, with AWS
 * signature checks on. The AWS SDK talks to it over HTTP like to any S3.
 */
class S3ArtifactStoreTest extends ArtifactStoreConformance {
    private static S3Proxy proxy;
    private static BlobStoreContext context;
    private static Backend backend;

    @BeforeAll
    static void start() throws Exception {
        context = ContextBuilder.newBuilder("transient").credentials("memsidecar", "test-secret")
                .overrides(new Properties()).build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, "artifacts");
        proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "memsidecar", "test-secret").build();
        proxy.start();
        while (!proxy.getState().equals(AbstractLifeCycle.STARTED)) {
            Thread.sleep(10);
        }
        backend = open(Map.of());
    }

    static Backend open(Map<String, String> extra) {
        var options = new HashMap<>(Map.of("endpoint", "127.0.0.1:" + proxy.getPort(), "bucket", "artifacts",
                "access_key", "memsidecar", "secret_key", "test-secret", "prefix", "ms/"));
        options.putAll(extra);
        return new S3BackendProvider().open(new BackendSpec("s3", new Options("backends[s3].options", options),
                Clock.systemUTC()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (backend != null) {
            backend.close();
        }
        if (proxy != null) {
            proxy.stop();
        }
        if (context != null) {
            context.close();
        }
    }

    @Override
    protected ArtifactStore store() {
        return backend.store(ArtifactStore.class).orElseThrow();
    }

    @Test
    void largeUploadsGoMultipartAndRejectedOnesLeaveNoStagingObject() throws IOException {
        byte[] big = new byte[S3ArtifactStore.PART * 2 + 12345];
        new Random(7).nextBytes(big);
        store().put(ns, upload("big", big, Map.of("k", "v"), false));
        try (var read = store().open(ns, "big", 0, 0).orElseThrow()) {
            assertThat(read.body().readAllBytes()).isEqualTo(big);
        }
        assertThat(store().stat(ns, "big").orElseThrow().metadata()).containsEntry("k", "v");
        assertThatThrownBy(() -> store().put(ns, upload("big", new byte[S3ArtifactStore.PART + 1], Map.of(), true)));
        assertThat(store().stat(ns, "big").orElseThrow().size()).isEqualTo(big.length);
        assertThat(context.getBlobStore().list("artifacts", org.jclouds.blobstore.options.ListContainerOptions.Builder
                .prefix("ms/.staging/").recursive())).isEmpty();
    }

    @Test
    void wrongCredentialsAreRefusedByTheServer() {
        Backend wrong = open(Map.of("secret_key", "not-the-secret"));
        try {
            assertThatThrownBy(() -> wrong.store(ArtifactStore.class).orElseThrow().stat(ns, "x"))
                    .hasMessageContaining("S3 error 403");
        } finally {
            wrong.close();
        }
        backend.check();
    }
}
