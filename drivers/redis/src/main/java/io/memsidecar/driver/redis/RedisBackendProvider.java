package io.memsidecar.driver.redis;

import io.memsidecar.core.Options;
import io.memsidecar.core.spi.Backend;
import io.memsidecar.core.spi.BackendProvider;
import io.memsidecar.core.spi.BackendSpec;
import io.memsidecar.core.spi.StoreBackend;
import io.memsidecar.core.spi.StoreSet;
import io.memsidecar.kv.spi.KvStore;
import java.net.URI;
import java.util.Map;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisPooled;

/**
 * {@code driver: redis} (alias {@code valkey}), KV only (spec §3.6). Options: {@code dsn} or
 * {@code dsn_env} ({@code redis://[:password@]host:6379/0}, {@code rediss://} for TLS),
 * {@code key_prefix} (default {@code memsidecar:}), {@code max_conns} (pool size, default 10).
 * A single Redis or Valkey server (or a primary behind a proxy): every script touches a record
 * and its namespace index, which Redis Cluster would put in different slots.
 */
public class RedisBackendProvider implements BackendProvider {
    @Override
    public String driver() {
        return "redis";
    }

    @Override
    public Backend open(BackendSpec spec) {
        Options o = spec.options();
        String dsn = o.stringOrEnv("dsn").orElseThrow(() -> o.invalid("dsn", "is required (or dsn_env)"));
        URI uri = URI.create(dsn);
        if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
            throw o.invalid("dsn", "must be redis://host:port[/db] or rediss://…, got scheme " + uri.getScheme());
        }
        var pool = new GenericObjectPoolConfig<Connection>();
        pool.setMaxTotal(o.integer("max_conns", 10));
        pool.setMaxIdle(o.integer("max_conns", 10));
        JedisPooled redis = new JedisPooled(pool, uri);
        var store = new RedisKvStore(redis, o.string("key_prefix").orElse("memsidecar:"));
        return new StoreBackend(spec.name(), driver(), new StoreSet(Map.of(KvStore.class, store)), () -> {
            if (!"PONG".equals(redis.ping())) {
                throw new IllegalStateException("backend " + spec.name() + ": redis did not answer PING");
            }
        }, redis::close);
    }

    /** {@code driver: valkey}: the same driver under Valkey's name. */
    public static final class Valkey extends RedisBackendProvider {
        @Override
        public String driver() {
            return "valkey";
        }
    }
}
