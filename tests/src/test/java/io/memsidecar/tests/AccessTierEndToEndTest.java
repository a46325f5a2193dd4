package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.memsidecar.proto.kv.v1.GetAccessRequest;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.PutRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The KV access tier through the server: a capped tool cache keeps its hot keys, on the memory
 * driver and on the durable sqlite one, and GetAccess reports the tracked reads (gRPC and gateway).
 */
class AccessTierEndToEndTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite"})
    void aCappedCacheEvictsItsColdestKeysAndReportsItsReads(String driver) throws Exception {
        try (var server = TestServer.withHttpListener("""
                backends:
                  - { name: store, driver: %s, options: { path: "%s" } }
                namespaces:
                  - { block: kv, name: tool-cache, backend: store, access: { track: true, capacity: 2, heat_half_life_seconds: 600 } }
                """.formatted(driver, dir.resolve("m.db")))) {
            var ch = server.tcpChannel();
            try {
                var kv = TestServer.kv(ch, server.fullToken());
                for (String k : new String[] {"hot", "cold", "new"}) {
                    kv.put(PutRequest.newBuilder().setNamespace("tool-cache").setKey(k).setValue(ByteString.copyFromUtf8(k)).build());
                    if (k.equals("cold")) {
                        kv.get(GetRequest.newBuilder().setNamespace("tool-cache").setKey("hot").build());
                    }
                }
                assertThat(kv.get(GetRequest.newBuilder().setNamespace("tool-cache").setKey("cold").build()).getFound()).isFalse();
                assertThat(kv.get(GetRequest.newBuilder().setNamespace("tool-cache").setKey("hot").build()).getFound()).isTrue();
                assertThat(kv.get(GetRequest.newBuilder().setNamespace("tool-cache").setKey("new").build()).getFound()).isTrue();

                var hot = kv.getAccess(GetAccessRequest.newBuilder().setNamespace("tool-cache").setKey("hot").build());
                assertThat(hot.getFound()).isTrue();
                assertThat(hot.getTracked()).isTrue();
                assertThat(hot.getAccessCount()).isEqualTo(2);
                assertThat(hot.hasLastAccessed()).isTrue();
                assertThat(kv.getAccess(GetAccessRequest.newBuilder().setNamespace("tool-cache").setKey("cold").build()).getFound())
                        .isFalse();
                try (var http = HttpClient.newHttpClient()) {
                    var res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server.httpPort().orElseThrow()
                                    + "/memsidecar.kv.v1.KV/GetAccess"))
                            .header("x-memsidecar-capability", "Bearer " + server.fullToken())
                            .POST(HttpRequest.BodyPublishers.ofString("{\"namespace\":\"tool-cache\",\"key\":\"hot\"}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
                    assertThat(Json.parse(res.body()).get("accessCount").asText()).as("reading the counts is not a read").isEqualTo("2");
                }
                try (var client = io.memsidecar.client.MemSidecar.connect("127.0.0.1:" + server.port(), server.fullToken())) {
                    assertThat(client.kv().access("tool-cache", "hot").orElseThrow().count()).isEqualTo(2);
                    assertThat(client.kv().access("tool-cache", "cold")).isEmpty();
                }
            } finally {
                ch.shutdownNow();
            }
        }
    }

    @Test
    void onlyMemoryAndSqliteServeItAndElsewhereItIsNamedInAWarning() {
        // the original ignored access on other drivers: such a config still starts, and says so
        var warnings = new java.util.ArrayList<String>();
        var handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                warnings.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        var logger = java.util.logging.Logger.getLogger("io.memsidecar.server.MemsidecarServer");
        logger.addHandler(handler);
        try {
            new TestServer("""
                    backends:
                      - { name: cache, driver: redis, options: { dsn: "redis://127.0.0.1:6379" } }
                    namespaces:
                      - { block: kv, name: tool-cache, backend: cache, access: { capacity: 10 } }
                    """, "").close();
        } finally {
            logger.removeHandler(handler);
        }
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("access ignored").contains("memory and sqlite drivers only")
                .contains("redis"));
        assertThatThrownBy(() -> new TestServer("""
                backends:
                  - { name: mem, driver: memory }
                namespaces:
                  - { block: episodic, name: e, backend: mem, access: { track: true } }
                """, "").close()).hasMessageContaining("kv namespaces only");
    }
}
