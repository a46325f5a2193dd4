package io.memsidecar.kv.spi;

import java.util.List;
import java.util.function.Consumer;

/**
 * A prefix scan: live keys starting with {@code prefix}, strictly after {@code startAfter}
 * (empty = from the start), at most {@code limit} of them (0 = no limit).
 */
public record KvScan(String prefix, String startAfter, long limit, boolean includeValues) {
    public static KvScan prefix(String prefix) {
        return new KvScan(prefix, "", 0, true);
    }

    /** One page of a scan: at most {@code size} live records of the scan after {@code afterKey}, in key order. */
    @FunctionalInterface
    public interface PageReader {
        List<KvRecord> read(String afterKey, int size);
    }

    /**
     * Runs the scan page by page (keyset paging from {@link #startAfter}, within {@link #limit}),
     * sending each page to {@code sink} after it was read, so a driver holds no connection or lock
     * while a slow reader consumes it.
     */
    public void pages(int pageSize, PageReader reader, Consumer<KvRecord> sink) {
        String cursor = startAfter;
        long remaining = limit > 0 ? limit : Long.MAX_VALUE;
        while (remaining > 0) {
            int size = (int) Math.min(pageSize, remaining);
            List<KvRecord> page = reader.read(cursor, size);
            page.forEach(sink);
            if (page.size() < size) {
                return;
            }
            remaining -= page.size();
            cursor = page.getLast().key();
        }
    }
}
