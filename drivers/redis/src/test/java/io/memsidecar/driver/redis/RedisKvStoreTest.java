package io.memsidecar.driver.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.memsidecar.core.Options;
import io.memsidecar.core.spi.Backend;
import io.memsidecar.core.spi.BackendProvider;
import io.memsidecar.core.spi.BackendSpec;
import io.memsidecar.core.spi.Providers;
import io.memsidecar.kv.KvStoreConformance;
import io.memsidecar.kv.spi.KvStore;
import io.memsidecar.kv.spi.KvWrite;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/**
 * The KV conformance suite against a real Redis ({@code MEMSIDECAR_TEST_REDIS_URL}, default
 * redis://127.0.0.1:6379; .ci/run starts one). Skipped on a developer machine without Redis,
 * failed under {@code CI=true}.
 */
class RedisKvStoreTest extends KvStoreConformance {
    private static final String URL = System.getenv().getOrDefault("MEMSIDECAR_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    private static final String PREFIX = "memsidecar-test:";
    private static Backend backend;
    private static JedisPooled direct;

    @BeforeAll
    static void open() {
        direct = new JedisPooled(java.net.URI.create(URL));
        boolean up;
        try {
            up = "PONG".equals(direct.ping());
        } catch (RuntimeException e) {
            up = false;
        }
        if (!up && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true but no Redis answers at " + URL + ": the Redis suite must run");
        }
        assumeTrue(up, "no Redis at " + URL + "; Redis suite skipped");
        backend = Providers.byName(BackendProvider.class, BackendProvider::driver).get("valkey").open(new BackendSpec("r",
                new Options("options", Map.of("dsn", URL, "key_prefix", PREFIX)), Clock.systemUTC()));
        backend.check();
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
            for (String key : direct.keys(PREFIX + "*")) {
                direct.del(key);
            }
        }
        direct.close();
    }

    @Override
    protected KvStore store() {
        return backend.store(KvStore.class).orElseThrow();
    }

    /** Expiry is the Redis server's clock: moving time forward moves the stored deadlines back. */
    @Override
    protected void advance(Duration duration) {
        for (String ns : new String[] {ns, ns + "-other"}) {
            for (String key : direct.zrange(PREFIX + "i:" + ns, 0, -1)) {
                String hash = PREFIX + "h:" + ns + "\u001e" + key;
                String ex = direct.hget(hash, "ex");
                if (ex != null && Long.parseLong(ex) > 0) {
                    direct.hset(hash, "ex", Long.toString(Long.parseLong(ex) - duration.toMillis()));
                }
            }
        }
    }

    @Test
    void recordsUseTheOriginalsLayout() {
        store().put(ns, "k", KvWrite.of("v".getBytes(StandardCharsets.UTF_8)).withContentType("text/plain", Map.of("a", "1")));
        Map<String, String> hash = direct.hgetAll(PREFIX + "h:" + ns + "\u001ek");
        assertThat(hash).containsEntry("v", "v").containsEntry("ct", "text/plain").containsEntry("md", "{\"a\":\"1\"}")
                .containsEntry("ver", "1").containsEntry("ex", "0").containsKey("cr");
        assertThat(direct.zrange(PREFIX + "i:" + ns, 0, -1)).containsExactly("k");
    }

    @Test
    void aDsnThatIsNotRedisIsRefusedWithTheOption() {
        assertThatThrownBy(() -> new RedisBackendProvider().open(new BackendSpec("r",
                new Options("backends[r].options", Map.of("dsn", "postgres://x")), Clock.systemUTC())))
                .hasMessageContaining("backends[r].options.dsn");
    }
}
