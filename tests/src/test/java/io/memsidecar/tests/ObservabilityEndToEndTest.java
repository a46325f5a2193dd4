package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.memsidecar.driver.postgres.TestDatabase;
import io.memsidecar.proto.episodic.v1.AppendRequest;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.KVGrpc;
import io.memsidecar.proto.kv.v1.PutRequest;
import io.memsidecar.proto.semantic.v1.Record;
import io.memsidecar.proto.semantic.v1.SearchRequest;
import io.memsidecar.proto.semantic.v1.SemanticGrpc;
import io.memsidecar.proto.semantic.v1.UpsertRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Metrics scraped from the real server's /metrics port after a scripted set of calls, and spans
 * received by an in-process OTLP/gRPC collector through the real exporter.
 */
class ObservabilityEndToEndTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_SPAN = "00f067aa0ba902b7";

    private final List<Span> spans = new CopyOnWriteArrayList<>();
    private final List<String> metricNames = new CopyOnWriteArrayList<>();
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private Server collector;
    private TestServer server;
    private ManagedChannel channel;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        collector = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new TraceServiceGrpc.TraceServiceImplBase() {
                    @Override
                    public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> out) {
                        request.getResourceSpansList().forEach(rs -> rs.getScopeSpansList()
                                .forEach(ss -> spans.addAll(ss.getSpansList())));
                        out.onNext(ExportTraceServiceResponse.getDefaultInstance());
                        out.onCompleted();
                    }
                })
                .addService(new MetricsServiceGrpc.MetricsServiceImplBase() {
                    @Override
                    public void export(ExportMetricsServiceRequest request, StreamObserver<ExportMetricsServiceResponse> out) {
                        request.getResourceMetricsList().forEach(rm -> rm.getScopeMetricsList()
                                .forEach(sm -> sm.getMetricsList().forEach(m -> metricNames.add(m.getName()))));
                        out.onNext(ExportMetricsServiceResponse.getDefaultInstance());
                        out.onCompleted();
                    }
                }).build().start();
        server = new TestServer("""
                backends:
                  - { name: mem, driver: memory }
                  - { name: pg, driver: postgres, options: { dsn: "%s" } }
                namespaces:
                  - { block: kv, name: notes, backend: mem }
                  - { block: kv, name: pgnotes-%s, backend: pg }
                  - { block: kv, name: secret, backend: mem }
                  - { block: semantic, name: facts, backend: mem, embedder: { provider: fake, dimensions: 8 } }
                  - { block: episodic, name: log, backend: mem,
                      retention: { max_items: 1, interval_seconds: 1 } }
                """.formatted(TestDatabase.url(), suffix), """
                metrics:
                  exporter: prometheus
                  prometheus: { addr: "127.0.0.1:0", path: /prom }
                tracing:
                  exporter: otlp
                  otlp: { endpoint: "127.0.0.1:%d", insecure: true, headers: { x-test: "1" } }
                """.formatted(collector.getPort()));
        channel = server.tcpChannel();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow();
            server.close();
        }
        collector.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        http.close();
    }

    private String scrape() throws Exception {
        var res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server.metricsPort().orElseThrow()
                + "/prom")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        return res.body();
    }

    /** The value of the one sample whose line starts with {@code name{} and holds every label. */
    private static double sample(String metrics, String name, String... labels) {
        var lines = metrics.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> List.of(labels).stream().allMatch(l::contains)).toList();
        assertThat(lines).as("%s %s in:%n%s", name, List.of(labels), metrics.lines()
                .filter(l -> l.startsWith(name)).collect(Collectors.joining("\n"))).hasSize(1);
        String line = lines.getFirst();
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    @Test
    void metricsCountEveryCallWithItsLabels() throws Exception {
        var kv = TestServer.kv(channel, server.fullToken());
        for (int i = 0; i < 3; i++) {
            kv.put(PutRequest.newBuilder().setNamespace("notes").setKey("k" + i).setValue(ByteString.copyFromUtf8("v")).build());
        }
        kv.put(PutRequest.newBuilder().setNamespace("pgnotes-" + suffix).setKey("k").setValue(ByteString.copyFromUtf8("v")).build());
        kv.get(GetRequest.newBuilder().setNamespace("notes").setKey("k0").build());
        kv.get(GetRequest.newBuilder().setNamespace("notes").setKey("missing").build());
        var narrow = TestServer.kv(channel, server.token(List.of("kv/notes"), List.of("*")));
        assertThatThrownBy(() -> narrow.get(GetRequest.newBuilder().setNamespace("secret").setKey("x").build()));
        assertThatThrownBy(() -> kv.get(GetRequest.newBuilder().setNamespace("not-configured-" + suffix).setKey("x").build()));
        var semantic = SemanticGrpc.newBlockingStub(CapabilityHeader.attach(channel, "Bearer " + server.fullToken()));
        semantic.upsert(UpsertRequest.newBuilder().setNamespace("facts")
                .addRecords(Record.newBuilder().setId("a").setContent("alpha beta")).build());
        semantic.search(SearchRequest.newBuilder().setNamespace("facts").setQueryText("alpha beta").setTopK(3).build());
        semantic.search(SearchRequest.newBuilder().setNamespace("facts").setQueryText("alpha beta").setTopK(3).build());
        var log = EpisodicEndToEndTest.stub(channel, server.fullToken());
        for (int i = 0; i < 3; i++) {
            log.append(AppendRequest.newBuilder().setNamespace("log").setType("t").build());
        }

        String m = scrape();
        String put = "op=\"put\"";
        assertThat(sample(m, "memsidecar_op_duration_seconds_count", "block=\"kv\"", put, "op_class=\"write\"",
                "namespace=\"notes\"", "code=\"OK\"")).isEqualTo(3);
        assertThat(sample(m, "memsidecar_op_duration_seconds_bucket", "block=\"kv\"", put, "namespace=\"notes\"",
                "code=\"OK\"", "le=\"+Inf\"")).isEqualTo(3);
        assertThat(m).contains("memsidecar_op_duration_seconds_bucket{block=\"kv\",code=\"OK\",namespace=\"notes\"");
        assertThat(sample(m, "memsidecar_op_duration_seconds_count", "op=\"get\"", "namespace=\"secret\"",
                "code=\"PERMISSION_DENIED\"")).isEqualTo(1);
        assertThat(sample(m, "memsidecar_op_duration_seconds_count", "op=\"get\"", "namespace=\"(unknown)\"",
                "code=\"NOT_FOUND\"")).as("unconfigured names never become labels").isEqualTo(1);
        assertThat(sample(m, "memsidecar_result_size_sum", "op=\"get\"", "namespace=\"notes\"")).isEqualTo(1); // found, missing
        assertThat(sample(m, "memsidecar_result_size_count", "op=\"get\"", "namespace=\"notes\"")).isEqualTo(2);
        assertThat(sample(m, "memsidecar_backend_duration_seconds_count", "block=\"kv\"", put,
                "namespace=\"pgnotes-" + suffix + "\"")).isEqualTo(1);
        assertThat(sample(m, "rpc_server_duration_seconds_count", "rpc_method=\"Put\"", "rpc_grpc_status_code=\"0\"",
                "rpc_system=\"grpc\"")).isEqualTo(4);
        assertThat(sample(m, "memsidecar_result_top_score_count", "block=\"semantic\"", "namespace=\"facts\"")).isEqualTo(2);
        assertThat(sample(m, "memsidecar_namespace_items", "block=\"kv\"", "namespace=\"notes\"")).isEqualTo(3);
        assertThat(sample(m, "memsidecar_embedder_cache_misses_total", "namespace=\"facts\"")).isEqualTo(1);
        assertThat(sample(m, "memsidecar_embedder_cache_hits_total", "namespace=\"facts\"")).isEqualTo(2);
        assertThat(sample(m, "memsidecar_episodic_tail_subscribers")).isZero();
        assertThat(sample(m, "memsidecar_backend_up", "backend=\"pg\"")).as("readiness per backend").isEqualTo(1);
        assertThat(m).contains("hikaricp_connections_active{pool=\"memsidecar-pg\"}", "jvm_memory_used_bytes{",
                "jvm_gc_max_data_size_bytes", "jvm_threads_live_threads", "process_cpu_usage", "process_files_open_files",
                "process_memory_rss_bytes");
        // retention runs every second and keeps the newest event of the log
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        double evicted = 0;
        while (evicted < 2 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            String now = scrape();
            evicted = now.contains("memsidecar_eviction_total{") ? sample(now, "memsidecar_eviction_total",
                    "block=\"episodic\"", "cause=\"retention\"", "namespace=\"log\"") : 0;
        }
        assertThat(evicted).isEqualTo(2);
    }

    private Span awaitSpan(String name, String traceId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            for (Span s : spans) {
                if (s.getName().equals(name) && hex(s.getTraceId()).equals(traceId)) {
                    return s;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no span " + name + " in trace " + traceId + "; got " + spans.stream().map(Span::getName).toList());
    }

    private static String hex(ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    private static Map<String, String> attributes(Span span) {
        return span.getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey, kv -> {
            var v = kv.getValue();
            return v.hasIntValue() ? Long.toString(v.getIntValue()) : v.getStringValue();
        }));
    }

    /** metrics.exporter: otlp pushes the same meters to an OTLP/gRPC collector through a periodic reader. */
    @Test
    void otlpMetricsArePushed() throws Exception {
        try (var pushing = new TestServer("""
                backends:
                  - { name: mem, driver: memory }
                namespaces:
                  - { block: kv, name: notes, backend: mem }
                """, """
                metrics:
                  exporter: otlp
                  otlp: { endpoint: "127.0.0.1:%d", insecure: true, interval: 500ms }
                """.formatted(collector.getPort()))) {
            ManagedChannel ch = pushing.tcpChannel();
            try {
                TestServer.kv(ch, pushing.fullToken()).get(GetRequest.newBuilder().setNamespace("notes").setKey("k").build());
            } finally {
                ch.shutdownNow();
            }
            assertThat(pushing.server.metricsPort()).isEmpty();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!metricNames.contains("memsidecar.op.duration") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(metricNames).contains("memsidecar.op.duration", "rpc.server.duration", "jvm.memory.used");
        }
    }

    @Test
    void spansContinueTheCallersTraceAndCarryThePrincipal() throws Exception {
        var headers = new Metadata();
        headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), "00-" + TRACE_ID + "-" + PARENT_SPAN + "-01");
        var kv = KVGrpc.newBlockingStub(ClientInterceptors.intercept(CapabilityHeader.attach(channel, "Bearer " + server.fullToken()),
                MetadataUtils.newAttachHeadersInterceptor(headers)));
        kv.put(PutRequest.newBuilder().setNamespace("pgnotes-" + suffix).setKey("traced").setValue(ByteString.copyFromUtf8("v")).build());

        Span rpc = awaitSpan("memsidecar.kv.v1.KV/Put", TRACE_ID);
        assertThat(hex(rpc.getParentSpanId())).isEqualTo(PARENT_SPAN);
        assertThat(rpc.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(attributes(rpc)).containsEntry("memsidecar.tenant", "acme").containsEntry("memsidecar.agent", "tester")
                .containsEntry("memsidecar.namespace", "kv/pgnotes-" + suffix).containsEntry("rpc.grpc.status_code", "0")
                .containsEntry("memsidecar.method", "/memsidecar.kv.v1.KV/Put");
        Span driver = awaitSpan("kv.put", TRACE_ID);
        assertThat(driver.getParentSpanId()).isEqualTo(rpc.getSpanId());
        assertThat(attributes(driver)).containsEntry("db.system", "postgres").doesNotContainValue("v");

        // an embedder call (a cache miss) is a child span of the Upsert
        SemanticGrpc.newBlockingStub(ClientInterceptors.intercept(CapabilityHeader.attach(channel, "Bearer " + server.fullToken()),
                MetadataUtils.newAttachHeadersInterceptor(headers))).upsert(UpsertRequest.newBuilder().setNamespace("facts")
                .addRecords(Record.newBuilder().setId("e").setContent("embed me")).build());
        Span upsert = awaitSpan("memsidecar.semantic.v1.Semantic/Upsert", TRACE_ID);
        Span embed = awaitSpan("embedder.embed", TRACE_ID);
        assertThat(embed.getParentSpanId()).isEqualTo(upsert.getSpanId());
        assertThat(attributes(embed)).containsEntry("memsidecar.embedder.provider", "fake");

        // the gateway honours traceparent too; a failed call is marked as an error
        String trace2 = "0af7651916cd43dd8448eb211c80319c";
        var res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/memsidecar.kv.v1.KV/Get"))
                .header("traceparent", "00-" + trace2 + "-b7ad6b7169203331-01")
                .header("x-memsidecar-capability", "Bearer " + server.token(List.of("kv/notes"), List.of("*")))
                .POST(HttpRequest.BodyPublishers.ofString("{\"namespace\":\"secret\",\"key\":\"k\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(403);
        Span denied = awaitSpan("memsidecar.kv.v1.KV/Get", trace2);
        assertThat(hex(denied.getParentSpanId())).isEqualTo("b7ad6b7169203331");
        assertThat(denied.getStatus().getCode()).isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(attributes(denied)).containsEntry("memsidecar.transport", "http").containsEntry("rpc.grpc.status_code", "7");
    }
}
