package io.memsidecar.semantic.spi;

/** What a bulk Expire does to each matching record. */
public enum ExpireAction {
    /** valid_to = now, on records that are not deleted and still valid. */
    INVALIDATE,
    /** deleted_at = now, on records that are not deleted. */
    SOFT_DELETE,
    /** Removes matching records, tombstoned or not. */
    HARD_DELETE
}
