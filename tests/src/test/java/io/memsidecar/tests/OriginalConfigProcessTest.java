package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.memsidecar.proto.kv.v1.PutRequest;
import io.memsidecar.tokens.CapabilityTokens;
import io.memsidecar.tokens.Ed25519Keys;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A config written for the original (gRPC on server.grpc.tcp, the gateway on server.http.addr,
 * Prometheus on metrics.prometheus.addr, spans to stdout) through the packaged launcher: three
 * listeners, each named at start-up, each serving its part, and spans printed on stdout.
 */
class OriginalConfigProcessTest {
    private static final Pattern LISTENING = Pattern.compile(
            "\"msg\":\"listening\",\"transport\":\"([^\"]+)\",\"addr\":\"([^\"]+)\",\"security\":\"plaintext\",\"purpose\":\"(\\w+)\"");

    @TempDir
    Path dir;

    private static void collect(InputStream in, List<String> lines) {
        Thread.ofVirtual().start(() -> {
            try (var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
    }

    @Test
    void threeListenersAndSpansOnStdout() throws Exception {
        String[] keys = Ed25519Keys.generateHex();
        Path config = dir.resolve("original.yaml");
        Files.writeString(config, """
                server:
                  grpc: { tcp: "127.0.0.1:0" }
                  http: { addr: "127.0.0.1:0" }
                  shutdown_timeout: 5s
                metrics:
                  exporter: prometheus
                  prometheus: { addr: "127.0.0.1:0", path: /metrics }
                tracing:
                  exporter: stdout
                  sample_ratio: 1.0
                logging: { level: info, format: json }
                auth:
                  verifier: paseto
                  paseto: { public_key_hex: "%s" }
                backends:
                  - { name: mem, driver: memory }
                namespaces:
                  - { block: kv, name: scratchpad, backend: mem }
                """.formatted(keys[1]));
        Path bin = Path.of(System.getProperty("memsidecar.dist")).resolve("bin/memsidecar");
        Process p = new ProcessBuilder(bin.toString(), "--config", config.toString()).start();
        var out = new CopyOnWriteArrayList<String>();
        var err = new CopyOnWriteArrayList<String>();
        collect(p.getInputStream(), out);
        collect(p.getErrorStream(), err);
        try {
            Map<String, String> addr = new ConcurrentHashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (addr.size() < 3 && System.nanoTime() < deadline) {
                for (String line : err) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        addr.put(m.group(3), m.group(2));
                    }
                }
                Thread.sleep(100);
            }
            assertThat(addr).as(String.join("\n", err)).containsKeys("api", "gateway", "metrics");

            String token = CapabilityTokens.paseto(Ed25519Keys.privateKey(keys[0]), new CapabilityTokens.Grant("acme", "agent-1",
                    List.of("kv/*"), List.of("*"), Duration.ofMinutes(5), ""), Instant.now());
            var channel = NettyChannelBuilder.forTarget(addr.get("api")).usePlaintext().build();
            try {
                TestServer.kv(channel, token).put(PutRequest.newBuilder().setNamespace("scratchpad").setKey("k")
                        .setValue(ByteString.copyFromUtf8("v")).build());
            } finally {
                channel.shutdownNow();
            }
            try (var http = HttpClient.newHttpClient()) {
                var get = http.send(HttpRequest.newBuilder(URI.create("http://" + addr.get("gateway") + "/v1/kv/scratchpad/k"))
                        .header("x-memsidecar-capability", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(get.statusCode()).isEqualTo(200);
                assertThat(get.body()).isEqualTo("v");
                var metrics = http.send(HttpRequest.newBuilder(URI.create("http://" + addr.get("metrics"))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.body()).contains("memsidecar_op_duration_seconds_count{block=\"kv\"");
            }
            // spans are OTLP JSON lines on stdout, the gRPC Put's carrying the principal
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (out.stream().noneMatch(l -> l.contains("memsidecar.kv.v1.KV/Put")) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(out).anySatisfy(l -> assertThat(l).contains("\"resourceSpans\"").contains("memsidecar.kv.v1.KV/Put")
                    .contains("agent-1"));
        } finally {
            p.destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(p.exitValue()).as("SIGTERM is a clean stop").isZero();
        assertThat(String.join("\n", err)).doesNotContain("unknown key");
        // the access log line of the gRPC Put carries its trace and span ids
        assertThat(err).anySatisfy(l -> assertThat(l).contains("\"msg\":\"rpc\"").contains("/memsidecar.kv.v1.KV/Put")
                .containsPattern("\"trace_id\":\"[0-9a-f]{32}\"").containsPattern("\"span_id\":\"[0-9a-f]{16}\""));
    }
}
