package io.memsidecar.semantic.spi;

/** The id and new version of one upserted record. */
public record Written(String id, long version) {
}
