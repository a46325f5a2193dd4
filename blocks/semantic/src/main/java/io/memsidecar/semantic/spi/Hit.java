package io.memsidecar.semantic.spi;

/** A search result: the record (only its id when ids_only) and its score, higher is better. */
public record Hit(SemanticRecord record, float score) {
}
