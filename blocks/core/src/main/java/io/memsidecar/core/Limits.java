package io.memsidecar.core;

/**
 * Limits that keep one client from exhausting the server ({@code limits.*}): the largest gRPC
 * message or HTTP request body, the largest KV value, the most records one batch call (semantic
 * Upsert, graph UpsertNodes/UpsertEdges) may carry, connections per listener and concurrent
 * streams per HTTP/2 connection, the compares and ops of one KV transaction (etcd's default, 128). Over a limit is RESOURCE_EXHAUSTED
 * (HTTP 413), refused before anything is stored.
 */
public record Limits(long maxMessageBytes, long maxValueBytes, int maxBatchItems, int maxConnections,
                     int maxConcurrentStreams, long maxMetadataBytes, int maxTxnOps) {
    public static final long MIB = 1024 * 1024;
    /**
     * The original's effective limits (grpc's 4 MiB per message); connections above a flood of
     * 10 000 idle ones (~20 KB each), and HTTP/2 streams per connection as grpc-go's default order.
     */
    public static final Limits DEFAULT = new Limits(4 * MIB, 4 * MIB, 1000, 20_000, 1000, 64 * 1024, 128);

    public Limits {
        if (maxMessageBytes <= 0 || maxValueBytes <= 0 || maxBatchItems <= 0 || maxConnections <= 0
                || maxConcurrentStreams <= 0 || maxMetadataBytes <= 0 || maxTxnOps <= 0) {
            throw new IllegalArgumentException("limits must be > 0");
        }
    }

    /**
     * A string map (metadata, props, a filter) checked as {@link Require#stringMap} does, and in
     * all — keys and values, UTF-8 — at most {@code max_metadata_bytes} (RESOURCE_EXHAUSTED).
     */
    public java.util.Map<String, String> metadata(java.util.Map<String, String> map, String field, int maxEntries) {
        Require.stringMap(map, field, maxEntries);
        long bytes = 0;
        for (var e : map.entrySet()) {
            bytes += e.getKey().length() + e.getValue().length();
        }
        if (bytes > maxMetadataBytes / 3) { // cheap bound first: a char is at most 3 UTF-8 bytes
            bytes = map.entrySet().stream().mapToLong(e -> utf8(e.getKey()) + utf8(e.getValue())).sum();
        }
        if (bytes > maxMetadataBytes) {
            throw ApiException.tooLarge(field + " holds " + bytes + " bytes, more than the limit of " + maxMetadataBytes
                    + " (limits.max_metadata_bytes)");
        }
        return map;
    }

    private static long utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /** RESOURCE_EXHAUSTED when a batch of {@code count} records is over the limit. */
    public void checkBatch(int count, String field) {
        if (count > maxBatchItems) {
            throw ApiException.tooLarge(field + " has " + count + " records, more than the limit of " + maxBatchItems
                    + " (limits.max_batch_items)");
        }
    }
}
