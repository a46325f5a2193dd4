package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.PutRequest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A server with a {@code redis} backend: KV over gRPC lands in Redis with versions and CAS, and a
 * Redis backend asked to serve another block stops the start with the reason.
 */
class RedisEndToEndTest {
    private static final String URL = System.getenv().getOrDefault("MEMSIDECAR_TEST_REDIS_URL", "redis://127.0.0.1:6379");

    @Test
    void kvOverGrpcOnRedisWithCas() throws Exception {
        String prefix = "memsidecar-e2e-" + UUID.randomUUID() + ":";
        try (var server = new TestServer("""
                backends:
                  - { name: cache, driver: redis, options: { dsn: "%s", key_prefix: "%s" } }
                namespaces:
                  - { block: kv, name: tool-cache, backend: cache }
                """.formatted(URL, prefix), "")) {
            var ch = server.tcpChannel();
            try {
                var kv = TestServer.kv(ch, server.fullToken());
                var put = PutRequest.newBuilder().setNamespace("tool-cache").setKey("q").setValue(ByteString.copyFromUtf8("answer"));
                assertThat(kv.put(put.build()).getVersion()).isEqualTo(1);
                assertThat(kv.put(put.setIfVersion(1).build()).getVersion()).isEqualTo(2);
                assertThatThrownBy(() -> kv.put(put.setIfVersion(1).build())).isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
                var got = kv.get(GetRequest.newBuilder().setNamespace("tool-cache").setKey("q").build());
                assertThat(got.getValue().toStringUtf8()).isEqualTo("answer");
                assertThat(got.getVersion()).isEqualTo(2);
            } finally {
                ch.shutdownNow();
            }
            try (var redis = new redis.clients.jedis.JedisPooled(java.net.URI.create(URL))) {
                assertThat(redis.hget(prefix + "h:tool-cache\u001eq", "v")).isEqualTo("answer");
                redis.keys(prefix + "*").forEach(redis::del);
            }
        }
    }

    @Test
    void aRedisBackendServesKvOnly() {
        assertThatThrownBy(() -> new TestServer("""
                backends:
                  - { name: cache, driver: redis, options: { dsn: "%s" } }
                namespaces:
                  - { block: episodic, name: events, backend: cache }
                """.formatted(URL), "").close()).hasMessageContaining("episodic");
    }
}
