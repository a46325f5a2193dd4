package io.memsidecar.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memsidecar.server.OptionalParts;
import io.memsidecar.tokens.Ed25519Keys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final String KEY = "61a2d0067233cf8d6570c76f37573cbc31d33032ab256fe0c8032c0987d0fbf9";

    @TempDir
    Path dir;

    private MemsidecarConfig load(String yaml, Map<String, String> env) throws IOException {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(Optional.of(file), env);
    }

    @Test
    void readsTheOriginalsKeysDurationsAndEnvOverrides() throws IOException {
        var c = load("""
                server:
                  grpc: { tcp: "127.0.0.1:7777", uds: /tmp/x.sock }
                  shutdown_timeout: 250ms
                auth:
                  paseto:
                    public_key_hex: "%s"
                policy:
                  default: deny
                  rules:
                    - { name: r1, effect: cap, max: { top_k: 200 } }
                backends:
                  - { name: pg, driver: postgres, options: { dsn_env: PG, sweeper_interval: 5m } }
                namespaces:
                  - { block: kv, name: scratch, backend: pg, max_items: 10 }
                """.formatted(KEY), Map.of("MEMSIDECAR_SERVER__GRPC__TCP", "127.0.0.2:9999"));
        assertThat(c.server().grpcTcp()).isEqualTo("127.0.0.2:9999");
        assertThat(c.server().grpcUds()).hasValue(Path.of("/tmp/x.sock"));
        assertThat(c.server().shutdownTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.auth().publicKeyHexes()).containsExactly(KEY);
        assertThat(c.policy().defaultDeny()).isTrue();
        assertThat(c.policy().ruleCount()).isEqualTo(1);
        assertThat(c.backends().getFirst().options()).containsEntry("dsn_env", "PG").containsEntry("sweeper_interval", "5m");
        assertThat(c.namespaces().getFirst().maxItems()).isEqualTo(10);
    }

    @Test
    void thePublishedDevKeyIsRefusedOffLoopback() throws IOException {
        String devKey = "auth: { paseto: { public_key_hexes: [\"%s\"] } }\n".formatted(KEY);
        assertThatThrownBy(() -> load("server: { grpc: { tcp: \"0.0.0.0:7777\" } }\n" + devKey, Map.of()))
                .hasMessageContaining("published dev key").hasMessageContaining("0.0.0.0:7777")
                .hasMessageContaining("memctl gen-keypair");
        assertThatThrownBy(() -> load(devKey, Map.of("MEMSIDECAR_SERVER__HTTP__ADDR", ":8080")))
                .hasMessageContaining("listening on :8080");
        assertThatThrownBy(() -> load(devKey, Map.of("MEMSIDECAR_SERVER__GRPC__TCP", "10.0.0.7:7777")))
                .hasMessageContaining("10.0.0.7:7777");
        assertThat(load("server: { grpc: { tcp: \"[::1]:7777\", uds: /tmp/m.sock } }\n" + devKey, Map.of())
                .auth().publicKeyHexes()).containsExactly(KEY);
        assertThat(load("server: { grpc: { tcp: \"\", uds: /tmp/m.sock } }\n" + devKey, Map.of())
                .server().grpcUds()).isPresent();
        String realKey = Ed25519Keys.generateHex()[1];
        assertThat(load("server: { grpc: { tcp: \"0.0.0.0:7777\" } }\nauth: { paseto: { public_key_hexes: [\"" + realKey
                + "\"] } }\n", Map.of()).server().grpcTcp()).isEqualTo("0.0.0.0:7777");
    }

    @Test
    void missingOptionalPartsAreNamedAndTheEmbeddedDefaultDoesWithout() {
        var full = ConfigLoader.load(Optional.empty(), Map.of());
        assertThat(full.namespaces()).anyMatch(ns -> ns.block().equals("semantic"));
        var edge = ConfigLoader.withoutMissingEmbedders(full, java.util.Set.of());
        assertThat(edge.namespaces()).noneMatch(ns -> ns.block().equals("semantic"))
                .hasSize(full.namespaces().size() - 1);
        assertThat(OptionalParts.missingDriver("s3", java.util.Set.of("memory")))
                .contains("lib/s3/").contains("./dev runtime --with s3");
        assertThat(OptionalParts.missingDriver("redis", new java.util.TreeSet<>(java.util.List.of("postgres", "memory"))))
                .isEqualTo("unknown driver \"redis\" (available: memory, postgres)");
        assertThat(OptionalParts.missingEmbedder("local")).contains("lib/onnx/");
    }

    @Test
    void errorsNameTheKey() {
        assertThatThrownBy(() -> load("namespaces:\n  - { block: kv, name: a, backend: missing }\n", Map.of()))
                .hasMessageContaining("namespaces[0].backend");
        assertThatThrownBy(() -> load("namespaces:\n  - { block: blob, name: a, backend: b }\n", Map.of()))
                .hasMessageContaining("namespaces[0].block");
        assertThatThrownBy(() -> load("server:\n  shutdown_timeout: soon\n", Map.of()))
                .hasMessageContaining("server.shutdown_timeout");
        assertThatThrownBy(() -> load("server:\n  grpc: { tcp: nowhere }\n", Map.of()))
                .hasMessageContaining("server.grpc.tcp");
        assertThatThrownBy(() -> load("policy:\n  rules:\n    - { name: x, effect: rate_limit }\n", Map.of()))
                .hasMessageContaining("policy.rules[0].bucket.rate_per_second");
        assertThatThrownBy(() -> load("policy:\n  rules:\n    - { name: x, effect: cap }\n", Map.of()))
                .hasMessageContaining("policy.rules[0].max");
        assertThatThrownBy(() -> load("auth:\n  paseto: { public_key_hexes: [\"zz\"] }\n", Map.of()))
                .hasMessageContaining("auth.paseto.public_key_hexes[0]");
        assertThatThrownBy(() -> load("backends:\n  - { name: a, driver: memory }\n  - { name: a, driver: memory }\n", Map.of()))
                .hasMessageContaining("backends[1].name");
    }

    @Test
    void readsSemanticNamespaces() throws IOException {
        var c = load("""
                backends:
                  - { name: mem, driver: memory }
                namespaces:
                  - block: semantic
                    name: notes
                    backend: mem
                    embedder: { provider: ollama, model: nomic-embed-text, dimensions: 768, cache_size: -1,
                                options: { base_url: "http://ollama:11434", timeout: 5s } }
                    distance: inner_product
                    text_search: english
                    hnsw: { m: 32, ef_construction: 128, ef_search: 200 }
                  - { block: semantic, name: plain, backend: mem, embedder: { provider: fake, dimensions: 8 } }
                """, Map.of());
        var s = c.namespaces().getFirst().semantic().orElseThrow();
        assertThat(s.embedder()).isEqualTo(new MemsidecarConfig.Embedder("ollama", "nomic-embed-text", 768,
                Map.of("base_url", "http://ollama:11434", "timeout", "5s"), -1));
        assertThat(s.index()).isEqualTo(new io.memsidecar.semantic.spi.IndexSpec("notes", 768,
                io.memsidecar.semantic.spi.Distance.INNER_PRODUCT, "english", 32, 128, 200));
        assertThat(c.namespaces().get(1).semantic().orElseThrow().index())
                .isEqualTo(io.memsidecar.semantic.spi.IndexSpec.of("plain", 8));
    }

    @Test
    void semanticErrorsNameTheKey() {
        String head = "backends:\n  - { name: mem, driver: memory }\nnamespaces:\n";
        assertThatThrownBy(() -> load(head + "  - { block: semantic, name: n, backend: mem }\n", Map.of()))
                .hasMessageContaining("namespaces[0].embedder is required");
        assertThatThrownBy(() -> load(head + "  - { block: semantic, name: n, backend: mem, embedder: { provider: fake } }\n",
                Map.of())).hasMessageContaining("namespaces[0].embedder.dimensions");
        assertThatThrownBy(() -> load(head + "  - { block: semantic, name: 'a b', backend: mem,"
                + " embedder: { provider: fake, dimensions: 2 } }\n", Map.of())).hasMessageContaining("namespaces[0].name");
        assertThatThrownBy(() -> load(head + "  - { block: semantic, name: n, backend: mem, distance: manhattan,"
                + " embedder: { provider: fake, dimensions: 2 } }\n", Map.of())).hasMessageContaining("namespaces[0].distance");
        assertThatThrownBy(() -> load(head + "  - { block: semantic, name: n, backend: mem, hnsw: { m: 1 },"
                + " embedder: { provider: fake, dimensions: 2 } }\n", Map.of())).hasMessageContaining("hnsw.m");
        assertThatThrownBy(() -> load(head + "  - { block: kv, name: n, backend: mem, embedder: { provider: fake } }\n",
                Map.of())).hasMessageContaining("namespaces[0].embedder: applies to semantic namespaces only");
    }

    @Test
    void theTransportIsNettyUnlessSaidOtherwise(@TempDir Path dir) throws IOException {
        String auth = "auth: { paseto: { public_key_hexes: [\"%s\"] } }\n".formatted(KEY);
        var shared = load("server: { grpc: { tcp: \"127.0.0.1:7777\" } }\n" + auth, Map.of()).server();
        assertThat(shared.nettyTcp()).isTrue();
        assertThat(shared.sharedPort()).isTrue();
        var own = load("server: { grpc: { tcp: \"127.0.0.1:7777\" }, http: { addr: \"127.0.0.1:8080\" } }\n" + auth, Map.of())
                .server();
        assertThat(own.nettyTcp()).isTrue();
        assertThat(own.sharedPort()).isFalse();
        var helidon = load("server: { grpc: { tcp: \"127.0.0.1:7777\", transport: helidon }, http: { addr: \"127.0.0.1:8080\" } }\n"
                + auth, Map.of()).server();
        assertThat(helidon.nettyTcp()).isFalse();
        assertThat(helidon.sharedPort()).isTrue();
        assertThat(load("server: { grpc: { tcp: \"\", uds: /tmp/m.sock }, http: { addr: \"127.0.0.1:8080\" } }\n" + auth, Map.of())
                .server().nettyTcp()).isFalse();
        Files.writeString(dir.resolve("c.pem"), "x");
        Files.writeString(dir.resolve("k.pem"), "x");
        String tls = "tls: { cert_file: \"%s\", key_file: \"%s\" }".formatted(dir.resolve("c.pem"), dir.resolve("k.pem"));
        // TLS without an HTTP port: grpc-netty tells gRPC clients from the others by their ALPN offer (SharedPort)
        var tlsShared = load("server: { grpc: { tcp: \"127.0.0.1:7777\", " + tls + " } }\n" + auth, Map.of()).server();
        assertThat(tlsShared.nettyTcp()).isTrue();
        assertThat(tlsShared.sharedPort()).isTrue();
        assertThat(load("server: { grpc: { tcp: \"127.0.0.1:7777\", transport: netty, " + tls + " }, http: { addr: \"127.0.0.1:8080\" } }\n"
                + auth, Map.of()).server().sharedPort()).isFalse();
        assertThat(load("server: { grpc: { tcp: \"127.0.0.1:7777\", transport: helidon, " + tls + " } }\n" + auth, Map.of())
                .server().nettyTcp()).isFalse();
        assertThatThrownBy(() -> load("server: { grpc: { tcp: \"\", uds: /tmp/m.sock, transport: netty } }\n" + auth, Map.of()))
                .hasMessageContaining("server.grpc.tcp");
        assertThatThrownBy(() -> load("server: { grpc: { transport: grizzly } }\n" + auth, Map.of()))
                .hasMessageContaining("server.grpc.transport must be one of auto, helidon, netty");
    }

    @Test
    void embeddedDefaultBindsLoopbackOnly() {
        var c = ConfigLoader.load(Optional.empty(), Map.of());
        assertThat(c.server().grpcTcp()).startsWith("127.0.0.1:");
        assertThat(c.namespaces()).extracting(MemsidecarConfig.NamespaceConfig::name).contains("scratchpad");
    }

    @Test
    void unknownKeysFailWithTheirPathAndEmptySectionsPass() throws IOException {
        assertThatThrownBy(() -> load("metrics:\n  promethus: { addr: \":9090\" }\n", Map.of()))
                .hasMessageContaining("unknown key metrics.promethus.addr");
        assertThatThrownBy(() -> load("namespaces:\n  - { block: kv, name: a, backend: b, max_item: 3 }\n", Map.of()))
                .hasMessageContaining("unknown key namespaces.0.max_item");
        assertThatThrownBy(() -> load("tenant_isolation: true\n", Map.of("MEMSIDECAR_SERVER__GRCP__TCP", ":1")))
                .hasMessageContaining("unknown key server.grcp.tcp");
        assertThatThrownBy(() -> load("policy:\n  rules:\n    - { name: a, effect: cap, max: { topk: 3 } }\n", Map.of()))
                .hasMessageContaining("unknown key policy.rules.0.max.topk");
        // free-form maps, empty lists and sections, and keys of the original this build does not act on yet
        var c = load("""
                policy: {}
                backends:
                  - { name: m, driver: memory, options: { anything: 1 } }
                namespaces:
                  - { block: kv, name: a, backend: m, access: { track: true, capacity: 100 } }
                tracing:
                  exporter: otlp
                  otlp: { endpoint: "collector:4317", insecure: true, headers: { x-team: memory }, headers_env: { x-key: KEY } }
                """, Map.of("KEY", "s3cret"));
        assertThat(c.telemetry().tracing().otlp().orElseThrow().headers())
                .containsEntry("x-team", "memory").containsEntry("x-key", "s3cret");
        assertThat(c.telemetry().tracing().otlp().orElseThrow().url()).isEqualTo("http://collector:4317");
    }

    @Test
    void theShippedExampleConfigsUseOnlyKnownKeys() {
        for (String file : new String[] {"../etc/memsidecar.yaml", "../etc/memsidecar-postgres.yaml"}) {
            assertThat(ConfigLoader.load(Optional.of(Path.of(file)), Map.of("MEMSIDECAR_PG_DSN", "postgres://x@y/z")))
                    .as(file).isNotNull();
        }
        assertThat(ConfigLoader.load(Optional.empty(), Map.of()).telemetry().metrics().prometheusAddr())
                .isEqualTo("127.0.0.1:9090");
    }

    @Test
    void telemetryDefaultsAndChecks() throws IOException {
        var none = load("tenant_isolation: false\n", Map.of()).telemetry();
        assertThat(none.metrics().exporter()).isEqualTo("none");
        assertThat(none.tracing().exporter()).isEqualTo("none");
        var prom = load("metrics: { exporter: prometheus }\ntracing: { exporter: stdout, sample_ratio: 0 }\n", Map.of())
                .telemetry();
        assertThat(prom.metrics().prometheusAddr()).isEqualTo(":9090");
        assertThat(prom.metrics().prometheusPath()).isEqualTo("/metrics");
        assertThat(prom.tracing().sampleRatio()).isEqualTo(1.0);
        assertThatThrownBy(() -> load("metrics: { exporter: statsd }\n", Map.of()))
                .hasMessageContaining("metrics.exporter must be one of");
        assertThatThrownBy(() -> load("tracing: { exporter: otlp }\n", Map.of()))
                .hasMessageContaining("tracing.otlp.endpoint is required");
        assertThatThrownBy(() -> load("tracing: { exporter: stdout, sample_ratio: 2 }\n", Map.of()))
                .hasMessageContaining("tracing.sample_ratio");
        assertThatThrownBy(() -> load("metrics: { exporter: otlp, otlp: { endpoint: \"c:4317\", headers_env: { k: NOPE } } }\n",
                Map.of())).hasMessageContaining("metrics.otlp.headers_env.k").hasMessageContaining("NOPE");
        assertThatThrownBy(() -> load("metrics: { exporter: prometheus, prometheus: { addr: \"nope\" } }\n", Map.of()))
                .hasMessageContaining("metrics.prometheus.addr");
    }

    @Test
    void limitsTakeSizesWithUnitsAndArtifactMaxSize() throws IOException {
        var d = load("tenant_isolation: false\n", Map.of()).limits();
        assertThat(d.maxMessageBytes()).isEqualTo(4L << 20);
        assertThat(d.maxBatchItems()).isEqualTo(1000);
        var c = load("""
                limits: { max_message_bytes: 8MiB, max_value_bytes: 512KiB, max_batch_items: 50 }
                backends: [ { name: m, driver: memory } ]
                namespaces: [ { block: artifact, name: a, backend: m, max_size: 2GB } ]
                """, Map.of());
        assertThat(c.limits().maxMessageBytes()).isEqualTo(8L << 20);
        assertThat(c.limits().maxValueBytes()).isEqualTo(512L << 10);
        assertThat(c.limits().maxBatchItems()).isEqualTo(50);
        assertThat(c.namespaces().getFirst().maxSize()).isEqualTo(2_000_000_000L);
        assertThatThrownBy(() -> load("limits: { max_message_bytes: lots }\n", Map.of()))
                .hasMessageContaining("limits.max_message_bytes");
        assertThatThrownBy(() -> load("limits: { max_value_bytes: 0 }\n", Map.of()))
                .hasMessageContaining("limits.max_value_bytes");
        assertThatThrownBy(() -> load("backends: [ { name: m, driver: memory } ]\n"
                + "namespaces: [ { block: kv, name: a, backend: m, max_size: 1MiB } ]\n", Map.of()))
                .hasMessageContaining("namespaces[0].max_size: applies to artifact namespaces only");
    }

    @Test
    void encryptionKeysComeFromEnvOrFilesNeverTheYaml() throws IOException {
        String hex = "ab".repeat(32);
        var c = load("""
                encryption: { keys: [ { id: k2, secret_env: K2 } ], allow_plaintext_reads: true }
                backends: [ { name: m, driver: memory } ]
                namespaces: [ { block: kv, name: a, backend: m, encrypt: true } ]
                """, Map.of("K2", hex));
        assertThat(c.encryption()).isPresent();
        assertThat(c.namespaces().getFirst().encrypt()).isTrue();
        assertThatThrownBy(() -> load("encryption: { keys: [ { id: k, secret: \"%s\" } ] }\n".formatted(hex), Map.of()))
                .hasMessageContaining("unknown key encryption.keys.0.secret");
        assertThatThrownBy(() -> load("encryption: { keys: [ { id: k, secret_env: NONE } ] }\n", Map.of()))
                .hasMessageContaining("encryption.keys[0].secret_env").hasMessageContaining("NONE");
        assertThatThrownBy(() -> load("encryption: { keys: [ { id: k, secret_env: K } ] }\n", Map.of("K", "abcd")))
                .hasMessageContaining("encryption.keys[0]");
        assertThatThrownBy(() -> load("backends: [ { name: m, driver: memory } ]\n"
                + "namespaces: [ { block: kv, name: a, backend: m, encrypt: true } ]\n", Map.of()))
                .hasMessageContaining("needs encryption.keys");
    }
}
