package io.memsidecar.driver.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import io.memsidecar.artifact.ArtifactStoreConformance;
import io.memsidecar.artifact.spi.ArtifactStore;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Code;
import io.memsidecar.core.Options;
import io.memsidecar.core.spi.Backend;
import io.memsidecar.core.spi.BackendSpec;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
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
    /** What the proxy asked of its store, by method name. */
    private static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        context = ContextBuilder.newBuilder("transient").credentials("memsidecar", "test-secret")
                .overrides(new Properties()).build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, "artifacts");
        proxy = S3Proxy.builder().blobStore(counting(context.getBlobStore())).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "memsidecar", "test-secret").build();
        proxy.start();
        while (!proxy.getState().equals(AbstractLifeCycle.STARTED)) {
            Thread.sleep(10);
        }
        backend = open(Map.of());
    }

    private static BlobStore counting(BlobStore store) {
        return (BlobStore) Proxy.newProxyInstance(BlobStore.class.getClassLoader(),
                new Class<?>[] {BlobStore.class}, (proxy, method, args) -> {
                    CALLS.computeIfAbsent(method.getName(), n -> new AtomicInteger()).incrementAndGet();
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static int calls(String method) {
        var n = CALLS.get(method);
        return n == null ? 0 : n.get();
    }

    /** A largest single copy of two parts: objects above it go through the multipart copy. */
    static Backend open(Map<String, String> extra) {
        var options = new HashMap<>(Map.of("endpoint", "127.0.0.1:" + proxy.getPort(), "bucket", "artifacts",
                "access_key", "memsidecar", "secret_key", "test-secret", "prefix", "ms/"));
        options.putAll(extra);
        return new S3BackendProvider().open(new BackendSpec("s3", new Options("backends[s3].options", options),
                Clock.systemUTC()), 2L * S3ArtifactStore.PART);
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

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static void assertStored(ArtifactStore store, String namespace, String id, byte[] bytes) throws IOException {
        try (var read = store.open(namespace, id, 0, 0).orElseThrow()) {
            assertThat(read.body().readAllBytes()).isEqualTo(bytes);
        }
        var meta = store.stat(namespace, id).orElseThrow();
        assertThat(meta.size()).isEqualTo(bytes.length);
        assertThat(meta.metadata()).containsEntry("k", "v");
    }

    private static List<String> keys(String prefix) {
        return context.getBlobStore().list("artifacts", ListContainerOptions.Builder.prefix(prefix).recursive()).stream()
                .map(StorageMetadata::getName).toList();
    }

    @Test
    void largeUploadsAreStagedThenCopiedInOneCopyOrAMultipartCopy() throws IOException {
        byte[] copied = random(S3ArtifactStore.PART + S3ArtifactStore.PART / 2); // one CopyObject
        byte[] partCopied = random(S3ArtifactStore.PART * 2 + 12345); // above the copy limit: copied in parts
        store().put(ns, upload("one-copy", copied, Map.of("k", "v"), false));
        store().put(ns, upload("part-copy", partCopied, Map.of("k", "v"), false));
        assertStored(store(), ns, "one-copy", copied);
        assertStored(store(), ns, "part-copy", partCopied);
        // a multipart object's ETag ends in its part count
        assertThat(context.getBlobStore().blobMetadata("artifacts", "ms/" + ns + "/one-copy").getETag()).doesNotContain("-");
        assertThat(context.getBlobStore().blobMetadata("artifacts", "ms/" + ns + "/part-copy").getETag()).endsWith("-2\"");
        assertThatThrownBy(() -> store().put(ns, upload("part-copy", new byte[S3ArtifactStore.PART + 1], Map.of(), true)));
        assertStored(store(), ns, "part-copy", partCopied);
        assertThat(keys("ms/.staging/")).isEmpty();
    }

    @Test
    void partsGrowSoThatTenThousandHoldAbout430GiB() {
        assertThat(S3ArtifactStore.partSize(1)).isEqualTo(S3ArtifactStore.PART);
        assertThat(S3ArtifactStore.partSize(999)).isEqualTo(S3ArtifactStore.PART);
        assertThat(S3ArtifactStore.partSize(1000)).isEqualTo(2 * S3ArtifactStore.PART);
        long total = S3ArtifactStore.PART; // the first part
        for (int parts = 1; parts < 10_000; parts++) {
            total += S3ArtifactStore.partSize(parts);
        }
        assertThat(total).isEqualTo(55_000L * S3ArtifactStore.PART); // 429.7 GiB
        assertThat(S3ArtifactStore.partSize(9_999)).isEqualTo(10 * S3ArtifactStore.PART); // two parts of memory per upload
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

    /** The S3 store stopped (its port refusing connections) and started again: UNAVAILABLE, then served, nothing lost. */
    @Test
    void aStoppedStoreIsUnavailableAndServesAgainWhenItIsBack() throws Exception {
        S3Proxy second = startProxy(0);
        int port = second.getPort();
        Backend b = new S3BackendProvider().open(new BackendSpec("s3", new Options("backends[s3].options", Map.of(
                "endpoint", "127.0.0.1:" + port, "bucket", "artifacts", "access_key", "memsidecar", "secret_key", "test-secret",
                "prefix", "outage/")), Clock.systemUTC()));
        try {
            ArtifactStore store = b.store(ArtifactStore.class).orElseThrow();
            byte[] bytes = random(1000);
            store.put(ns, upload("kept", bytes, Map.of(), false));
            second.stop();
            for (var call : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
                    () -> store.stat(ns, "kept"), () -> store.open(ns, "kept", 0, 0), () -> store.put(ns, upload("new", bytes, Map.of(), false)),
                    () -> store.list(ns, Map.of(), "", 0, m -> { }))) {
                assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class, a -> {
                    assertThat(a.code()).isEqualTo(Code.UNAVAILABLE);
                    assertThat(a.getMessage()).contains("S3 unavailable").doesNotContain(String.valueOf(port));
                });
            }
            assertThatThrownBy(b::check).as("readiness fails too");
            second = startProxy(port);
            assertThat(store.stat(ns, "kept")).as("served again, nothing lost").isPresent();
        } finally {
            b.close();
            second.stop();
        }
    }

    /** A store that accepts connections and never answers: the call's deadline ends the wait, not the SDK's 30 s. */
    @Test
    void aStoreThatDoesNotAnswerIsUnavailableWithinTheCallsDeadline() throws Exception {
        try (var silent = new java.net.ServerSocket(0)) {
            var held = new java.util.concurrent.CopyOnWriteArrayList<java.net.Socket>();
            Thread.ofVirtual().start(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept());
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            Backend b = new S3BackendProvider().open(new BackendSpec("s3", new Options("backends[s3].options", Map.of(
                    "endpoint", "127.0.0.1:" + silent.getLocalPort(), "bucket", "artifacts", "access_key", "memsidecar",
                    "secret_key", "test-secret")), Clock.systemUTC()));
            try {
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
                try (var scope = io.memsidecar.core.Deadline.bind(deadline, deadline)) {
                    assertThatThrownBy(() -> b.store(ArtifactStore.class).orElseThrow().stat(ns, "x"))
                            .isInstanceOfSatisfying(ApiException.class, a -> {
                                assertThat(a.code()).isEqualTo(Code.UNAVAILABLE);
                                assertThat(a.getMessage()).contains("ApiCallTimeoutException");
                            });
                }
            } finally {
                b.close();
                for (var s : held) {
                    s.close();
                }
            }
        }
    }

    private static S3Proxy startProxy(int port) throws Exception {
        S3Proxy p = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "memsidecar", "test-secret").build();
        p.start();
        while (!p.getState().equals(AbstractLifeCycle.STARTED)) {
            Thread.sleep(10);
        }
        return p;
    }

    @Test
    void payloadsGoAsPlainBodiesSignedByTheirHashNotInAwsChunkedEncoding() throws Exception {
        // A store that takes every request as a plain body (as S3-compatible stores without aws-chunked
        // support do): what the driver sends it over HTTP.
        var requests = new LinkedBlockingQueue<Headers>();
        var bodies = new LinkedBlockingQueue<byte[]>();
        var store = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        store.createContext("/", exchange -> {
            requests.add(exchange.getRequestHeaders());
            bodies.add(exchange.getRequestBody().readAllBytes());
            exchange.getResponseHeaders().add("ETag", "\"e\"");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        store.start();
        Backend plain = open(Map.of("endpoint", "127.0.0.1:" + store.getAddress().getPort()));
        try {
            byte[] bytes = random(1000);
            plain.store(ArtifactStore.class).orElseThrow().put(ns, upload("plain", bytes, Map.of(), false));
            var headers = requests.take();
            assertThat(headers.getFirst("Content-Encoding")).isNull();
            assertThat(headers.getFirst("x-amz-content-sha256")).isEqualTo(sha256(bytes));
            assertThat(bodies.take()).isEqualTo(bytes);
        } finally {
            plain.close();
            store.stop(0);
        }
    }

    @Test
    void aReadIsOneRequestThatBringsItsMetadata() throws IOException {
        byte[] bytes = random(1000);
        store().put(ns, upload("one-request", bytes, Map.of("k", "v"), false));
        CALLS.clear();
        try (var read = store().open(ns, "one-request", 0, 0).orElseThrow()) {
            assertThat(read.meta().size()).isEqualTo(bytes.length);
            assertThat(read.meta().metadata()).containsEntry("k", "v");
            assertThat(read.body().readAllBytes()).isEqualTo(bytes);
        }
        try (var read = store().open(ns, "one-request", 990, 0).orElseThrow()) {
            assertThat(read.meta().size()).isEqualTo(bytes.length); // the object's, not the range's
            assertThat(read.body().readAllBytes()).hasSize(10);
        }
        assertThat(calls("getBlob")).isEqualTo(2);
        assertThat(calls("blobMetadata")).isZero();
    }
}
