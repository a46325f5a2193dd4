package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.PutRequest;
import org.junit.jupiter.api.Test;

/** The original's KV access tier through the server: a capped tool cache keeps its hot keys; only memory serves it. */
class AccessTierEndToEndTest {
    @Test
    void aCappedCacheEvictsItsColdestKeys() {
        try (var server = new TestServer("""
                backends:
                  - { name: mem, driver: memory }
                namespaces:
                  - { block: kv, name: tool-cache, backend: mem, access: { track: true, capacity: 2, heat_half_life_seconds: 600 } }
                """, "")) {
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
            } finally {
                ch.shutdownNow();
            }
        }
    }

    @Test
    void onlyTheMemoryDriverServesItAndElsewhereItIsNamedInAWarning() {
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
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("access ignored").contains("memory driver only")
                .contains("redis"));
        assertThatThrownBy(() -> new TestServer("""
                backends:
                  - { name: mem, driver: memory }
                namespaces:
                  - { block: episodic, name: e, backend: mem, access: { track: true } }
                """, "").close()).hasMessageContaining("kv namespaces only");
    }
}
