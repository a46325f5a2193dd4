package io.memsidecar.kv;

import io.memsidecar.kv.spi.KvStore;

/** A configured KV namespace: its store and its live-key quota (0 = unlimited). */
public record KvNamespace(String name, KvStore store, long maxItems) {
}
