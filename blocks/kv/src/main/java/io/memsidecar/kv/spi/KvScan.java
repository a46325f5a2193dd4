package io.memsidecar.kv.spi;

/**
 * A prefix scan: live keys starting with {@code prefix}, strictly after {@code startAfter}
 * (empty = from the start), at most {@code limit} of them (0 = no limit).
 */
public record KvScan(String prefix, String startAfter, long limit, boolean includeValues) {
    public static KvScan prefix(String prefix) {
        return new KvScan(prefix, "", 0, true);
    }
}
