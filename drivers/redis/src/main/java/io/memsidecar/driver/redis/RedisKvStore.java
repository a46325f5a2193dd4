package io.memsidecar.driver.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Code;
import io.memsidecar.core.KeyOrder;
import io.memsidecar.kv.spi.KvRecord;
import io.memsidecar.kv.spi.KvScan;
import io.memsidecar.kv.spi.KvStore;
import io.memsidecar.kv.spi.KvTxn;
import io.memsidecar.kv.spi.KvWrite;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.function.Consumer;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * KV on Redis or Valkey, in the original's layout (spec §6.1): a hash per record at
 * {@code <prefix>h:<ns>\x1e<key>} with fields {@code v}, {@code ct}, {@code md} (JSON),
 * {@code ver}, {@code cr} and {@code ex} (unix ms, 0 = never), and a sorted set
 * {@code <prefix>i:<ns>} (score 0) indexing the keys, which ZRANGEBYLEX pages in byte order.
 *
 * <p>Put and Delete — CAS, quota and version bump — are each one Lua script, so no read-then-write
 * race exists between sidecars; expiry is decided by {@code ex} against the Redis server's clock
 * ({@code TIME}), the same for every sidecar. A PEXPIREAT a minute after {@code ex} frees memory
 * as a backstop; index entries of expired or vanished records are pruned when a size or a quota
 * check meets them (a scan skips them). Reads of many records go in batches of 256 through one script each
 * (one round trip, one clock reading), where the original pipelined HGETALLs.
 */
final class RedisKvStore implements KvStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 256;
    private static final String NOW = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local function live(h)
              local ex = tonumber(redis.call('HGET', h, 'ex') or '-1')
              return ex ~= nil and ex >= 0 and (ex == 0 or ex > now)
            end
            """;
    /** Live keys of an index, pruning entries whose record expired or vanished. KEYS[2] index, ARGV[1] hash prefix. */
    private static final String COUNT = """
            local function count()
              local n = 0
              for _, k in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
                if live(ARGV[1] .. k) then n = n + 1 else redis.call('ZREM', KEYS[2], k) end
              end
              return n
            end
            """;
    /**
     * A record's version and creation time (0 and now when it is not live), and its write: the new
     * version, the TTL's backstop expiry and the index entry. Returns {ver, cr, ex}. After {@link #NOW}.
     */
    private static final String WRITE = """
            local function current(h)
              if live(h) then
                local cur = redis.call('HMGET', h, 'ver', 'cr')
                return tonumber(cur[1]), tonumber(cur[2])
              end
              return 0, now
            end
            local function write(h, index, key, v, ct, md, ttl, ver, cr)
              local ex = 0
              if ttl > 0 then ex = now + ttl end
              redis.call('DEL', h)
              redis.call('HSET', h, 'v', v, 'ct', ct, 'md', md, 'ver', ver + 1, 'cr', cr, 'ex', ex)
              if ex > 0 then redis.call('PEXPIREAT', h, ex + 60000) end
              redis.call('ZADD', index, 0, key)
              return {ver + 1, cr, ex}
            end
            """;
    /**
     * KEYS: hash, index. ARGV: hash prefix, key, value, content type, metadata JSON, ttl ms (0 none),
     * if_version (-1 none), max_items (0 none). Returns {ver, cr, ex} or {-1, stored} or {-2}.
     */
    private static final String PUT = NOW + COUNT + WRITE + """
            local ver, cr = current(KEYS[1])
            local ifv = tonumber(ARGV[7])
            if ifv >= 0 and ifv ~= ver then return {-1, ver} end
            local max = tonumber(ARGV[8])
            if ver == 0 and max > 0 and redis.call('ZCARD', KEYS[2]) >= max and count() >= max then return {-2} end
            return write(KEYS[1], KEYS[2], ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), ver, cr)
            """;
    /** KEYS: hash, index. ARGV: key, if_version (-1 none). Returns 1 deleted, 0 missing, {-1, stored} mismatch. */
    private static final String DELETE = NOW + """
            local ver = 0
            if live(KEYS[1]) then ver = tonumber(redis.call('HGET', KEYS[1], 'ver')) end
            local ifv = tonumber(ARGV[2])
            if ifv >= 0 and ifv ~= ver then return {-1, ver} end
            redis.call('DEL', KEYS[1])
            redis.call('ZREM', KEYS[2], ARGV[1])
            if ver > 0 then return 1 end
            return 0
            """;
    /** KEYS: hashes. Returns now (ms) then, per hash, {v, ct, md, ver, cr, ex} or an empty table. */
    private static final String READ = NOW + """
            local out = {now}
            for i, h in ipairs(KEYS) do
              if live(h) then out[i + 1] = redis.call('HMGET', h, 'v', 'ct', 'md', 'ver', 'cr', 'ex') else out[i + 1] = {} end
            end
            return out
            """;
    /**
     * KV.Txn in one script. KEYS: index, then the hash of every key the transaction names. ARGV: hash prefix,
     * max_items (0 none), then the compares (count; per compare: hash number, kind v|a|p|x, operand), the
     * success ops and the failure ops (count; per op: kind p|d|g, hash number, key, and for a put value,
     * content type, metadata JSON, ttl ms). The chosen branch's quota is checked before anything is written
     * (a script's writes are not undone). Returns {-2} over the quota, else {succeeded 1|0, {failed compare
     * indexes}, {per op: {ver, cr, ex} | 1|0 | {v, ct, md, ver, cr, ex} or {}}}.
     */
    private static final String TXN = NOW + COUNT.replace("KEYS[2]", "KEYS[1]") + WRITE + """
            local pos = 3
            local function arg() local v = ARGV[pos]; pos = pos + 1; return v end
            local failed = {}
            for i = 1, tonumber(arg()) do
              local h = KEYS[tonumber(arg()) + 1]
              local kind = arg()
              local operand = arg()
              local l = live(h)
              local ok
              if kind == 'v' then
                local ver = 0
                if l then ver = tonumber(redis.call('HGET', h, 'ver')) end
                ok = ver == tonumber(operand)
              elseif kind == 'a' then ok = not l
              elseif kind == 'p' then ok = l
              else ok = l and redis.call('HGET', h, 'v') == operand end
              if not ok then failed[#failed + 1] = i - 1 end
            end
            local function ops()
              local list = {}
              for i = 1, tonumber(arg()) do
                local op = {kind = arg(), h = KEYS[tonumber(arg()) + 1], key = arg()}
                if op.kind == 'p' then op.v = arg(); op.ct = arg(); op.md = arg(); op.ttl = tonumber(arg()) end
                list[i] = op
              end
              return list
            end
            local branch = ops()
            local failure = ops()
            if #failed > 0 then branch = failure end
            local max = tonumber(ARGV[2])
            if max > 0 then
              local state, delta, base = {}, 0, nil
              for _, op in ipairs(branch) do
                if op.kind ~= 'g' then
                  local was = state[op.h]
                  if was == nil then was = live(op.h) end
                  if op.kind == 'p' and not was then
                    if base == nil then base = count() end
                    if base + delta >= max then return {-2} end
                    delta = delta + 1
                  elseif op.kind == 'd' and was then delta = delta - 1 end
                  state[op.h] = op.kind == 'p'
                end
              end
            end
            local results = {}
            for i, op in ipairs(branch) do
              if op.kind == 'p' then
                local ver, cr = current(op.h)
                results[i] = write(op.h, KEYS[1], op.key, op.v, op.ct, op.md, op.ttl, ver, cr)
              elseif op.kind == 'd' then
                local was = live(op.h)
                redis.call('DEL', op.h)
                redis.call('ZREM', KEYS[1], op.key)
                if was then results[i] = 1 else results[i] = 0 end
              elseif live(op.h) then
                results[i] = redis.call('HMGET', op.h, 'v', 'ct', 'md', 'ver', 'cr', 'ex')
              else
                results[i] = {}
              end
            end
            local succeeded = 1
            if #failed > 0 then succeeded = 0 end
            return {succeeded, failed, results}
            """;
    /** KEYS: index. ARGV: hash prefix. */
    private static final String SIZE = NOW + COUNT.replace("KEYS[2]", "KEYS[1]") + "return count()\n";

    private final UnifiedJedis redis;
    private final String prefix;

    RedisKvStore(UnifiedJedis redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    private String hashPrefix(String namespace) {
        return prefix + "h:" + namespace + "\u001e";
    }

    private String index(String namespace) {
        return prefix + "i:" + namespace;
    }

    @Override
    public Optional<KvRecord> get(String namespace, String key) {
        return read(namespace, List.of(key), true).stream().findFirst();
    }

    @Override
    public List<KvRecord> multiGet(String namespace, Collection<String> keys) {
        var distinct = new TreeSet<String>(KeyOrder.UTF8);
        distinct.addAll(keys);
        var sorted = new ArrayList<>(distinct);
        var out = new ArrayList<KvRecord>();
        for (int i = 0; i < sorted.size(); i += BATCH) {
            out.addAll(read(namespace, sorted.subList(i, Math.min(sorted.size(), i + BATCH)), true));
        }
        return out;
    }

    @Override
    public KvRecord put(String namespace, String key, KvWrite write) {
        byte[] hash = bytes(hashPrefix(namespace) + key);
        List<byte[]> args = List.of(bytes(hashPrefix(namespace)), bytes(key), write.value(), bytes(write.contentType()),
                bytes(json(write.metadata())), bytes(Long.toString(write.ttl().map(java.time.Duration::toMillis).orElse(0L))),
                bytes(Long.toString(write.ifVersion().orElse(-1))), bytes(Long.toString(write.maxItems())));
        List<?> r = (List<?>) eval(PUT, List.of(hash, bytes(index(namespace))), args);
        long first = (Long) r.getFirst();
        if (first == -1) {
            throw ApiException.failedPrecondition("version mismatch");
        }
        if (first == -2) {
            throw ApiException.resourceExhausted("namespace quota of " + write.maxItems() + " items reached");
        }
        return written(key, write, r);
    }

    /** The record a script's write left, from its {ver, cr, ex}. */
    private static KvRecord written(String key, KvWrite write, List<?> f) {
        long ex = (Long) f.get(2);
        return new KvRecord(key, write.value(), write.contentType(), write.metadata(), (Long) f.get(0),
                Instant.ofEpochMilli((Long) f.get(1)), ex == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(ex)));
    }

    @Override
    public boolean delete(String namespace, String key, OptionalLong ifVersion) {
        Object r = eval(DELETE, List.of(bytes(hashPrefix(namespace) + key), bytes(index(namespace))),
                List.of(bytes(key), bytes(Long.toString(ifVersion.orElse(-1)))));
        if (r instanceof List<?>) {
            throw ApiException.failedPrecondition("version mismatch");
        }
        return (Long) r == 1;
    }

    @Override
    public KvTxn.Result txn(String namespace, KvTxn txn) {
        var keys = new ArrayList<>(txn.keys());
        var hashes = new ArrayList<byte[]>();
        hashes.add(bytes(index(namespace)));
        keys.forEach(k -> hashes.add(bytes(hashPrefix(namespace) + k)));
        long maxItems = txn.maxItems();
        var args = new ArrayList<byte[]>(List.of(bytes(hashPrefix(namespace)), bytes(Long.toString(maxItems))));
        args.add(bytes(Integer.toString(txn.compare().size())));
        for (KvTxn.Compare c : txn.compare()) {
            args.add(bytes(Integer.toString(keys.indexOf(c.key()) + 1)));
            switch (c.kind()) {
                case VERSION -> args.addAll(List.of(bytes("v"), bytes(Long.toString(c.version()))));
                case ABSENT -> args.addAll(List.of(bytes("a"), new byte[0]));
                case PRESENT -> args.addAll(List.of(bytes("p"), new byte[0]));
                case VALUE -> args.addAll(List.of(bytes("x"), c.value()));
            }
        }
        for (List<KvTxn.Op> branch : List.of(txn.success(), txn.failure())) {
            args.add(bytes(Integer.toString(branch.size())));
            for (KvTxn.Op op : branch) {
                args.addAll(List.of(bytes(switch (op.kind()) {
                    case PUT -> "p";
                    case DELETE -> "d";
                    case GET -> "g";
                }), bytes(Integer.toString(keys.indexOf(op.key()) + 1)), bytes(op.key())));
                if (op.kind() == KvTxn.Op.Kind.PUT) {
                    KvWrite w = op.write();
                    args.addAll(List.of(w.value(), bytes(w.contentType()), bytes(json(w.metadata())),
                            bytes(Long.toString(w.ttl().map(java.time.Duration::toMillis).orElse(0L)))));
                }
            }
        }
        List<?> r = (List<?>) eval(TXN, hashes, args);
        if ((Long) r.getFirst() == -2) {
            throw ApiException.resourceExhausted("namespace quota of " + maxItems + " items reached");
        }
        boolean succeeded = (Long) r.getFirst() == 1;
        List<Integer> failed = ((List<?>) r.get(1)).stream().map(i -> ((Long) i).intValue()).toList();
        List<?> results = (List<?>) r.get(2);
        List<KvTxn.Op> branch = succeeded ? txn.success() : txn.failure();
        var out = new ArrayList<KvTxn.OpResult>();
        for (int i = 0; i < branch.size(); i++) {
            KvTxn.Op op = branch.get(i);
            Object result = results.get(i);
            out.add(switch (op.kind()) {
                case PUT -> new KvTxn.OpResult(op.kind(), Optional.of(written(op.key(), op.write(), (List<?>) result)), false);
                case DELETE -> new KvTxn.OpResult(op.kind(), Optional.empty(), (Long) result == 1);
                case GET -> new KvTxn.OpResult(op.kind(), record(op.key(), (List<?>) result, true), false);
            });
        }
        return new KvTxn.Result(succeeded, out, failed);
    }

    @Override
    public void scan(String namespace, KvScan scan, Consumer<KvRecord> sink) {
        // ZRANGEBYLEX over the index: [prefix .. prefix\xff, after the cursor, a page at a time
        byte[] max = scan.prefix().isEmpty() ? bytes("+") : concat(bytes("[" + scan.prefix()), new byte[] {(byte) 0xff});
        boolean afterCursor = !scan.startAfter().isEmpty()
                && KeyOrder.compare(scan.startAfter(), scan.prefix()) >= 0;
        String from = afterCursor ? "(" + scan.startAfter() : "[" + scan.prefix();
        long left = scan.limit() == 0 ? Long.MAX_VALUE : scan.limit();
        byte[] cursor = bytes(scan.prefix().isEmpty() && scan.startAfter().isEmpty() ? "-" : from);
        while (left > 0) {
            List<byte[]> page = redis.zrangeByLex(bytes(index(namespace)), cursor, max, 0, BATCH);
            if (page.isEmpty()) {
                return;
            }
            var keys = page.stream().map(k -> new String(k, StandardCharsets.UTF_8)).toList();
            for (KvRecord r : read(namespace, keys, scan.includeValues())) {
                if (left-- <= 0) {
                    return;
                }
                sink.accept(r);
            }
            cursor = concat(bytes("("), page.getLast());
        }
    }

    @Override
    public OptionalLong size(String namespace) {
        return OptionalLong.of((Long) eval(SIZE, List.of(bytes(index(namespace))), List.of(bytes(hashPrefix(namespace)))));
    }

    /** The live records of {@code keys} (in their order), read in one script against the server's clock. */
    private List<KvRecord> read(String namespace, List<String> keys, boolean values) {
        List<byte[]> hashes = keys.stream().map(k -> bytes(hashPrefix(namespace) + k)).toList();
        List<?> r = (List<?>) eval(READ, hashes, List.of());
        var out = new ArrayList<KvRecord>();
        for (int i = 0; i < keys.size(); i++) {
            record(keys.get(i), (List<?>) r.get(i + 1), values).ifPresent(out::add);
        }
        return out;
    }

    /** A record from the fields {v, ct, md, ver, cr, ex} a script read (empty: not live). */
    private static Optional<KvRecord> record(String key, List<?> f, boolean values) {
        if (f.isEmpty()) {
            return Optional.empty();
        }
        long ex = Long.parseLong(string(f.get(5)));
        return Optional.of(new KvRecord(key, values ? (byte[]) f.get(0) : new byte[0], string(f.get(1)),
                metadata(string(f.get(2))), Long.parseLong(string(f.get(3))), Instant.ofEpochMilli(Long.parseLong(string(f.get(4)))),
                ex == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(ex))));
    }

    private Object eval(String script, List<byte[]> keys, List<byte[]> args) {
        try {
            return redis.eval(bytes(script), keys, args);
        } catch (JedisConnectionException e) {
            // unreachable, refused, reset or timed out: an outage, not a bug (the message may name the host)
            throw new ApiException(Code.UNAVAILABLE, "redis: unavailable (" + e.getClass().getSimpleName()
                    + "); a write may have been applied — retry it where it is safe to (if_version)", e);
        } catch (JedisException e) {
            throw ApiException.internal("redis: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> metadata(String json) {
        try {
            return json.isEmpty() ? Map.of() : JSON.readValue(json, new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw ApiException.internal("redis: stored metadata is not JSON", e);
        }
    }

    private static String json(Map<String, String> metadata) {
        try {
            return JSON.writeValueAsString(metadata);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String string(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
