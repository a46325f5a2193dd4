package io.memsidecar.kv.spi;

/** A KV store that can keep an access tier: the returned view applies {@code access} to every call made through it. */
public interface AccessTiered {
    KvStore withAccess(KvAccess access);
}
