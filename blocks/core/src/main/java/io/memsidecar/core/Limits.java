package io.memsidecar.core;

/**
 * Limits that keep one client from exhausting the server ({@code limits.*}): the largest gRPC
 * message or HTTP request body, the largest KV value, the most records one batch call (semantic
 * Upsert, graph UpsertNodes/UpsertEdges) may carry, connections per listener and concurrent
 * streams per HTTP/2 connection. Over a limit is RESOURCE_EXHAUSTED
 * (HTTP 413), refused before anything is stored.
 */
public record Limits(long maxMessageBytes, long maxValueBytes, int maxBatchItems, int maxConnections,
                     int maxConcurrentStreams) {
    public static final long MIB = 1024 * 1024;
    /**
     * The original's effective limits (grpc's 4 MiB per message); connections above a flood of
     * 10 000 idle ones (~20 KB each), and HTTP/2 streams per connection as grpc-go's default order.
     */
    public static final Limits DEFAULT = new Limits(4 * MIB, 4 * MIB, 1000, 20_000, 1000);

    public Limits {
        if (maxMessageBytes <= 0 || maxValueBytes <= 0 || maxBatchItems <= 0 || maxConnections <= 0
                || maxConcurrentStreams <= 0) {
            throw new IllegalArgumentException("limits must be > 0");
        }
    }

    /** RESOURCE_EXHAUSTED when a batch of {@code count} records is over the limit. */
    public void checkBatch(int count, String field) {
        if (count > maxBatchItems) {
            throw ApiException.tooLarge(field + " has " + count + " records, more than the limit of " + maxBatchItems
                    + " (limits.max_batch_items)");
        }
    }
}
